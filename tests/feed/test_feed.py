"""The instruction feed (灵通信息): what each role may see, newest first, unread marks and the live count,
filters by kind and department; a leader's instruction and its acknowledgement reach the supervisor at once."""

import datetime

from portal.auth.models import User
from portal.items import actions, services
from portal.items.models import Item, ItemEvent
from portal.kernel.clock import local_today
from portal.kernel.db import database
from tests.conftest import with_demo_people


def _item(app, lead, co=()):
    with app.test_request_context(), database.connection_context():
        people = {u.username: u for u in User.select()}
        item = services.create_item(people["supervisor"], {
            "title": f"{lead}的事项", "source_type": "meeting", "lead_department": lead, "co_departments": list(co),
            "leader": "leader", "deadline": (local_today() + datetime.timedelta(days=20)).isoformat()})
        for actor, action, data in (("supervisor", "dispatch", {}), (lead, "accept", {})):
            item = Item.get_by_id(item.id)
            actions.perform(people["handler" if actor == "property" else actor], item, action,
                            {"version": item.version, **data})
        return item.number


def _act(client, number, action, **data):
    data["version"] = client.get(f"/api/v1/items/{number}").get_json()["version"]
    response = client.post(f"/api/v1/items/{number}/actions/{action}", json=data)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_instruction_and_its_acknowledgement_reach_the_feed(app, demo, sign_in):
    ours = _item(app, "property", co=["catering"])
    theirs = _item(app, "culture")
    leader, supervisor, handler, catering, culture, admin = (
        sign_in(u) for u in ("leader", "supervisor", "handler", "catering", "culture", "admin"))

    instructed = _act(leader, ours, "instruct", comment="本周内拿出供暖方案")
    _act(leader, theirs, "urge", comment="请加快")
    assert supervisor.get("/api/v1/feed").get_json()["unread"] == 2
    _act(handler, ours, "acknowledge", instruction=instructed["event"]["id"], comment="周五前报送")

    body = supervisor.get("/api/v1/feed").get_json()
    assert [(e["kind"], e["item"]["number"]) for e in body["events"]] == [
        ("acknowledgement", ours), ("urge", theirs), ("instruction", ours)]
    assert body["unread"] == 3 and all(e["unread"] for e in body["events"])
    # the leader's own instruction is not unread for them; the acknowledgement is
    mine = leader.get("/api/v1/feed").get_json()
    assert mine["unread"] == 1 and [e["unread"] for e in mine["events"]] == [True, False, False]

    # visibility: handlers see their department's items only (lead or co); admin has no feed
    assert [e["item"]["number"] for e in catering.get("/api/v1/feed").get_json()["events"]] == [ours, ours]
    assert [e["item"]["number"] for e in culture.get("/api/v1/feed").get_json()["events"]] == [theirs]
    assert admin.get("/api/v1/feed").status_code == 403 and admin.get("/feed").status_code == 403
    assert app.test_client().get("/api/v1/feed").status_code == 401

    # filters
    assert [e["kind"] for e in supervisor.get("/api/v1/feed?kind=instruction").get_json()["events"]] == [
        "instruction"]
    assert {e["item"]["number"] for e in supervisor.get("/api/v1/feed?department=culture").get_json()["events"]} \
        == {theirs}
    assert supervisor.get("/api/v1/feed?kind=gossip").status_code == 422
    assert supervisor.get("/api/v1/feed?before=x").status_code == 422

    # the page marks what is new and reads it; the header's count follows
    page = supervisor.get("/feed").get_data(as_text=True)
    assert page.count(' unread" id="feed-') == 3
    assert "本周内拿出供暖方案" in page and "周五前报送" in page
    assert supervisor.get("/api/v1/feed").get_json()["unread"] == 3  # a GET marks nothing (issue 21)
    assert 'hx-post="/feed/seen" hx-trigger="load"' in page
    seen = supervisor.post("/feed/seen", headers={"HX-Request": "true"})
    assert seen.status_code == 200 and "feed-read" in seen.headers["HX-Trigger"]
    assert supervisor.get("/api/v1/feed").get_json()["unread"] == 0
    assert 'id="feed-badge" class="badge badge-zero"' in supervisor.get("/feed/count").get_data(as_text=True)
    _act(leader, ours, "urge", comment="抓紧")
    badge = supervisor.get("/feed/count").get_data(as_text=True)
    assert ">1</span>" in badge
    assert 'id="feed-badge"' in supervisor.get("/").get_data(as_text=True)
    fragment = supervisor.get("/feed?kind=urge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "抓紧" in fragment
    assert supervisor.post("/api/v1/feed/read").get_json()["unread"] == 0


def test_closures_returns_and_approvals_are_told_apart(app, demo, sign_in):
    number = _item(app, "property")
    with app.app_context(), database.connection_context():
        item = Item.get(Item.number == number)
        leader = User.get(User.username == "leader")
        ItemEvent.create(item=item, actor=leader, action="approve", from_state="pending_approval",
                         to_state="closed", data={"decision": "approve"})
        ItemEvent.create(item=item, actor=leader, action="approve", from_state="pending_approval",
                         to_state="in_progress", data={"decision": "reject"}, comment="材料不全")
    supervisor = sign_in("supervisor")
    kinds = [e["kind"] for e in supervisor.get("/api/v1/feed").get_json()["events"]]
    assert kinds == ["approval", "closure"]
    assert [e["kind"] for e in supervisor.get("/api/v1/feed?kind=closure").get_json()["events"]] == ["closure"]


def test_reading_the_feed_again_clears_its_badge(make_app, sign_in):
    """The unread count is cached until the cursor moves: moving a cursor that exists (the second reading,
    not the first) must count afresh too, also on a connection that never inserted anything (no pool)."""

    app = with_demo_people(make_app(database={"pool_size": 0}))
    number = _item(app, "property")
    leader, supervisor = sign_in("leader", app=app), sign_in("supervisor", app=app)
    for action, comment in (("urge", "请加快"), ("instruct", "本周报结果")):
        _act(leader, number, action, comment=comment)
        assert ">1</span>" in supervisor.get("/feed/count").get_data(as_text=True)
        supervisor.post("/feed/seen", headers={"HX-Request": "true"})  # read: the cursor is made, then moved
        assert 'class="badge badge-zero"' in supervisor.get("/feed/count").get_data(as_text=True)


def test_the_page_marks_read_only_what_it_showed(app, demo, sign_in):
    """An entry come between the page and its POST stays unread: the page says the newest it showed."""
    import re

    number = _item(app, "property")
    leader, supervisor = sign_in("leader"), sign_in("supervisor")
    _act(leader, number, "instruct", comment="先查管网")
    page = supervisor.get("/feed").get_data(as_text=True)
    shown = int(re.search(r"hx-vals='\{\"upto\": (\d+)\}'", page).group(1))
    _act(leader, number, "urge", comment="今天必须回复")  # after the page, before its POST
    assert supervisor.post("/feed/seen", data={"upto": shown}, headers={"HX-Request": "true"}).status_code == 200
    body = supervisor.get("/api/v1/feed").get_json()
    assert body["unread"] == 1 and [e["kind"] for e in body["events"] if e["unread"]] == ["urge"]
    huge = supervisor.post("/feed/seen", data={"upto": "99999999999999999999"}, headers={"HX-Request": "true"})
    assert huge.status_code == 200 and supervisor.get("/api/v1/feed").get_json()["unread"] == 0  # no id: all
