"""The demo's petitions (docs/demo.md): across categories and areas, a heating hot issue in one area, one closed,
one converted into an item; seeding twice makes nothing new."""

from portal import demo
from portal.items.models import Item
from portal.petitions.models import Petition


def test_the_demo_has_petitions_and_a_hot_issue(db, app, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    with app.test_request_context():
        assert "8 new petitions" in demo.seed()
        assert {p.state for p in Petition.select()} >= {"new", "assigned", "answered", "closed"}
        heating = Petition.select().where(Petition.category == "heating", Petition.area == "东风小区")
        assert heating.count() == 3 and heating.where(Petition.repeat == True).count() == 2  # noqa: E712
        converted = Petition.get(Petition.item.is_null(False))
        assert Item.get_by_id(converted.item_id).source_ref == converted.number
        assert "0 new petitions" in demo.seed() and Petition.select().count() == 8
