"""A petition's life through the API and the pages on both databases: register, assign, answer, convert,
merge, close — with wrong actors (403/404), wrong states (409) and bad input (422)."""

from portal.items.models import Item
from portal.kernel.db import database
from portal.notify.models import Outbox
from portal.petitions.models import Petition, PetitionEvent

from .conftest import PHONE, act, version


def test_register_assign_answer_close(app, sign_in, demo, petition):
    supervisor, handler, catering, leader = (sign_in(u) for u in ("supervisor", "handler", "catering", "leader"))
    created = supervisor.post("/api/v1/petitions", json={
        "channel": "visit", "category": "heating", "area": "东风小区", "content": "暖气片不热",
        "resident_name": "李师傅", "resident_phone": "+86 139-0000-1111"})
    assert created.status_code == 201
    body = created.get_json()
    number = body["number"]
    assert number.startswith("SQ-") and body["state"] == "new" and body["repeat"] is False
    assert body["resident_phone"] == "13900001111" and body["item"] is None

    assert handler.get(f"/api/v1/petitions/{number}").status_code == 404  # not assigned to them yet
    assert act(handler, number, "assign", department="property", version=1).status_code == 404
    assert act(leader, number, "assign", department="property").status_code == 403
    assert act(supervisor, number, "answer", reply="x").status_code == 403
    assert act(supervisor, number, "close", satisfaction="satisfied").status_code == 409
    bad = act(supervisor, number, "assign", department="nowhere")
    assert bad.status_code == 422 and "department" in bad.get_json()["error"]["fields"]
    stale = act(supervisor, number, "assign", department="property", version=99)
    assert stale.status_code == 409

    with app.app_context(), database.connection_context():
        Outbox.delete().execute()
    assigned = act(supervisor, number, "assign", department="property", comment="请物业中心答复")
    assert assigned.status_code == 200 and assigned.get_json()["petition"]["state"] == "assigned"
    with app.app_context(), database.connection_context():
        rows = list(Outbox.select())
        assert {r.recipient.username for r in rows} == {"handler"}
        assert all(r.kind == "petition_assign" and "13900001111" not in str(r.data) for r in rows)

    seen = handler.get(f"/api/v1/petitions/{number}").get_json()
    assert seen["resident_phone"] == "139****1111" and "answer" in seen["available_actions"]
    assert act(catering, number, "answer", reply="x", version=2).status_code == 404
    empty = act(handler, number, "answer", reply="   ")
    assert empty.status_code == 422 and "reply" in empty.get_json()["error"]["fields"]
    long = act(handler, number, "answer", reply="长" * 4001)
    assert long.status_code == 422
    answered = act(handler, number, "answer", reply="已派维修工上门排查，明日恢复供暖")
    assert answered.status_code == 200 and answered.get_json()["petition"]["state"] == "answered"

    assert act(supervisor, number, "close", satisfaction="happy").status_code == 422
    assert act(handler, number, "close", satisfaction="satisfied").status_code == 403
    closed = act(supervisor, number, "close", satisfaction="basically_satisfied", comment="回访")
    assert closed.status_code == 200
    final = closed.get_json()["petition"]
    assert final["state"] == "closed" and final["satisfaction"] == "basically_satisfied"
    assert [e["action"] for e in final["events"]] == ["register", "assign", "answer", "close"]
    assert act(supervisor, number, "assign", department="catering").status_code == 409


def test_convert_into_an_item_linked_both_ways(app, sign_in, demo, petition):
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    number = petition()
    assert act(supervisor, number, "convert").status_code == 409  # not assigned: no lead department yet
    act(supervisor, number, "assign", department="property")
    assert act(handler, number, "convert").status_code == 403
    converted = act(supervisor, number, "convert")
    assert converted.status_code == 200
    item_number = converted.get_json()["item"]
    assert converted.get_json()["petition"]["item"] == item_number
    item = supervisor.get(f"/api/v1/items/{item_number}").get_json()
    assert (item["source_type"], item["source_ref"], item["state"]) == ("petition", number, "draft")
    assert item["lead_department"]["code"] == "property" and "东风小区" in item["title"]
    assert PHONE not in item["content"] and "5678" in item["content"]  # the item is read by handlers
    assert f'href="/petitions/{number}"' in supervisor.get(f"/items/{item_number}").get_data(as_text=True)
    again = act(supervisor, number, "convert")
    assert again.status_code == 409

    # The item's closure shows on the petition.
    with app.app_context(), database.connection_context():
        Item.update(state="closed", closed_on_time=True, closed_at=Item.created_at).where(
            Item.number == item_number).execute()
    body = supervisor.get(f"/api/v1/petitions/{number}").get_json()
    assert body["item_state"] == "closed" and body["item_closed_at"]
    page = supervisor.get(f"/petitions/{number}").get_data(as_text=True)
    assert item_number in page and "linked-item" in page


def test_merge_into_an_earlier_petition(app, sign_in, demo, petition):
    supervisor = sign_in("supervisor")
    first, second, third = petition(), petition(content="同一小区暖气不热"), petition(category="gas")
    assert act(supervisor, first, "merge", into=second).status_code == 422  # not earlier
    assert act(supervisor, second, "merge", into=second).status_code == 422
    assert act(supervisor, second, "merge", into="SQ-1999-0001").status_code == 422
    assert act(supervisor, second, "merge").status_code == 422
    merged = act(supervisor, second, "merge", into=first.lower(), comment="同一事项")
    assert merged.status_code == 200 and merged.get_json()["petition"]["state"] == "merged"
    assert act(supervisor, third, "merge", into=second).status_code == 422  # merged itself
    assert act(supervisor, second, "assign", department="property").status_code == 409
    with app.app_context(), database.connection_context():
        target = Petition.get(Petition.number == first)
        assert PetitionEvent.get(PetitionEvent.petition == target, PetitionEvent.action == "merged_in").data == {
            "from": second}
    assert second in supervisor.get(f"/petitions/{first}").get_data(as_text=True)


def test_repeats_are_flagged(sign_in, demo, petition):
    supervisor = sign_in("supervisor")
    first = petition()
    second = petition()
    other_area = petition(area="西山小区")
    assert supervisor.get(f"/api/v1/petitions/{first}").get_json()["repeat"] is False
    body = supervisor.get(f"/api/v1/petitions/{second}").get_json()
    assert body["repeat"] is True and body["repeats"] == [first]
    assert supervisor.get(f"/api/v1/petitions/{other_area}").get_json()["repeat"] is False
    listed = supervisor.get("/api/v1/petitions?repeat=1").get_json()
    assert [p["number"] for p in listed["petitions"]] == [second]


def test_bad_registration_is_refused_field_by_field(sign_in, demo):
    supervisor = sign_in("supervisor")
    refused = supervisor.post("/api/v1/petitions", json={
        "channel": "fax", "category": "", "area": "", "content": "x" * 2001, "resident_phone": "12345",
        "received_at": "2099-01-01"})
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"channel", "category", "area", "content", "resident_phone",
                                                          "received_at"}
    for phone in ("1381234567", "23812345678", "0351-123", "138123456789", "电话13812345678"):
        bad = supervisor.post("/api/v1/petitions", json={"channel": "hotline", "category": "gas", "area": "东区",
                                                         "content": "燃气", "resident_phone": phone})
        assert bad.status_code == 422 and "resident_phone" in bad.get_json()["error"]["fields"], phone
    for phone, stored in (("0351-2345678", "0351-2345678"), ("(010) 8765 4321", "010-87654321"),
                          ("138 1234 5678", PHONE)):
        ok = supervisor.post("/api/v1/petitions", json={"channel": "hotline", "category": "gas", "area": "东区",
                                                        "content": "燃气", "resident_phone": phone})
        assert ok.status_code == 201 and ok.get_json()["resident_phone"] == stored
    assert supervisor.post("/api/v1/petitions", json=["not", "an", "object"]).status_code == 422


def test_the_pages_register_and_act_without_javascript(app, sign_in, demo):
    supervisor = sign_in("supervisor", csrf_header=False)  # a browser without scripts
    from tests.conftest import csrf_token

    token = csrf_token(supervisor, "/petitions/new")
    form = {"csrf_token": token, "channel": "hotline", "category": "heating", "area": "东风小区",
            "content": "暖气不热", "resident_phone": "138-1234-5678", "resident_name": "王"}
    bad = supervisor.post("/petitions/new", data={**form, "resident_phone": "123"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    done = supervisor.post("/petitions/new", data=form)
    assert done.status_code == 303
    number = done.headers["Location"].rsplit("/", 1)[1]
    page = supervisor.get(f"/petitions/{number}").get_data(as_text=True)
    assert PHONE in page and 'id="form-assign"' in page
    wrong = supervisor.post(f"/petitions/{number}/actions/assign", data={"csrf_token": token, "version": 1})
    assert wrong.status_code == 422 and "field-error" in wrong.get_data(as_text=True)
    ok = supervisor.post(f"/petitions/{number}/actions/assign",
                         data={"csrf_token": token, "version": 1, "department": "property"})
    assert ok.status_code == 303
    stale = supervisor.post(f"/petitions/{number}/actions/assign",
                            data={"csrf_token": token, "version": 1, "department": "catering"})
    assert stale.status_code == 409
    fragment = supervisor.post(f"/petitions/{number}/actions/convert", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "version": version(sign_in("supervisor"), number)})
    assert fragment.status_code == 204 and fragment.headers["HX-Redirect"].startswith("/items/DB-")


def test_a_petition_received_today_registers_in_the_first_hour_of_the_day(sign_in, demo):
    """"Received today" (a date alone) is that day at 01:00 — except in the day's first hour, where that
    would be in the future: then it is now (found by a browser test run at 00:11 in Shanghai)."""
    import datetime
    import zoneinfo

    import time_machine

    just_after_midnight = datetime.datetime(2026, 11, 30, 0, 11, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(just_after_midnight, tick=False):
        created = sign_in("supervisor").post("/api/v1/petitions", json={
            "channel": "hotline", "category": "heating", "area": "东风小区", "content": "3号楼暖气不热",
            "received_at": "2026-11-30"})
    assert created.status_code == 201, created.get_json()
