"""The demo (docs/demo.md): items in every state, some overdue, with feedback and events; loaded once."""

from portal import demo
from portal.items import queries
from portal.items.models import STATES, Item, ItemEvent
from portal.items.queries import light_of


def test_the_demo_has_items_in_every_state_and_every_light(db, app, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    summary = demo.seed()
    assert "new items" in summary
    assert {item.state for item in Item.select()} == set(STATES)
    assert {light_of(item) for item in Item.select()} >= {"red", "yellow", "green", "on_time", "late", None}
    titles = {item.title for item in Item.select().where(Item.parent.is_null())}
    assert {"水电气暖收费制度改革", "供暖接入市网", "旧街区关闭", "天然气接入", "旧房出售"} <= titles
    assert ItemEvent.select().where(ItemEvent.action == "report").count() >= 4
    assert Item.select().where(Item.parent.is_null(False)).count() >= 8
    for item in Item.select().where(Item.parent.is_null(False)):
        assert item.deadline <= item.parent.deadline or item.state in ("closed", "cancelled")
    count = Item.select().count()
    assert demo.seed().endswith(", 0 new items") and Item.select().count() == count
    from portal.auth.models import User

    assert queries.red_items(User.get(User.username == "leader")).count() >= 2
