"""Migration 24 brings the petitions of the previous schema up: received_on_day, false for every old row."""

from portal.kernel.db import database


def test_the_previous_schema_gains_received_on_day_keeping_its_petitions(app, demo):
    from portal.auth.models import User
    from portal.migrations import SchemaVersion, upgrade
    from portal.petitions import services
    from portal.petitions.models import Petition

    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        petition = services.register(supervisor, {"channel": "hotline", "category": "heating", "area": "三号楼",
                                                  "content": "暖气不热"})
        database.execute_sql("ALTER TABLE petition DROP COLUMN received_on_day")
        SchemaVersion.delete().where(SchemaVersion.version == 24).execute()
        assert upgrade() == [24]
        assert upgrade() == []
        assert Petition.get_by_id(petition.id).received_on_day is False
