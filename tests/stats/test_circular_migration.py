"""Migration 20 brings a database of the previous release up: the circulars' numbers kept per year."""

import pytest

from portal.kernel.db import database


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_previous_database_gains_the_circular_sequence_and_numbers_from_1(make_app):
    from portal.kernel.numbering import next_in_year
    from portal.migrations import SchemaVersion, upgrade
    from portal.reports.models import CircularSequence

    app = make_app()
    with app.app_context(), database.connection_context():
        database.execute_sql("DROP TABLE circular_sequence")  # where migration 14 left the schema
        SchemaVersion.delete().where(SchemaVersion.version == 20).execute()
        assert upgrade() == [20]
        assert upgrade() == []
        with database.atomic():
            assert [next_in_year(CircularSequence, 2026) for _ in range(3)] == [1, 2, 3]
            assert next_in_year(CircularSequence, 2027) == 1  # a new year starts again
