"""The notification pages, nav badge and API as a user meets them; settings and robots pages."""

import re

import pytest

import datetime

from portal.auth.models import User
from portal.items.models import Item
from portal.notify import delivery
from portal.notify.models import DepartmentRobot, EmailPreference, Notification
from tests.conftest import bearer, csrf_token
from tests.items.conftest import register
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people

# Pages and templates behave the same on both databases; the SQL they rely on is tested on both elsewhere.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BADGE = re.compile(r'id="notification-badge"[^>]*>(\d+)</span>', re.S)


def badge_count(client):
    page = client.get("/").get_data(as_text=True)
    match = BADGE.search(page)
    assert match, "the nav carries no notification badge"
    return int(match.group(1))


def test_a_handler_sees_the_badge_right_after_a_supervisor_dispatches(make_app, sign_in):
    """Inline mode (no Redis): the notification is there when the dispatch's response is done."""
    app = make_app(**notify_config())
    with app.app_context():
        seed_people()
        item = register(User.get(User.username == "supervisor"), title="旧街区关闭")
        number, version = item.number, item.version

    handler = sign_in("handler", app=app)
    assert badge_count(handler) == 0

    office = sign_in("supervisor", app=app)
    token = csrf_token(office, f"/items/{number}")
    response = office.post(f"/items/{number}/actions/dispatch", data={"csrf_token": token, "version": version})
    assert response.status_code in (200, 303)
    response.close()  # the WSGI server closes the response; the relay runs then

    assert badge_count(handler) == 1
    fragment = handler.get("/notifications/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ">1</span>" in fragment and 'hx-trigger="every 15s' in fragment
    listing = handler.get("/notifications").get_data(as_text=True)
    assert number in listing and "旧街区关闭" in listing
    with app.app_context():
        catering = User.get(User.username == "catering")
        assert Notification.select().where(Notification.user == catering.id).count() == 1


def test_mark_read_one_and_all_on_the_page_and_by_htmx(make_app, sign_in):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        for n in range(3):
            dispatch(make_item(people, number=f"DB-2026-{n + 1:04d}"), people["supervisor"], [people["handler"]])
        delivery.relay()
        first = Notification.select().order_by(Notification.id).first().id
    client = sign_in("handler", app=app)
    assert badge_count(client) == 3
    token = csrf_token(client, "/notifications")
    fragment = client.post(f"/notifications/{first}/read", data={"csrf_token": token},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "notifications-changed" in fragment.headers["HX-Trigger"]
    assert f'id="notification-{first}"' in fragment.get_data(as_text=True)
    assert badge_count(client) == 2
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 303
    assert badge_count(client) == 0


def test_the_api_lists_and_marks_read_only_ones_own(make_app, sign_in):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"], people["catering"]])
        delivery.relay()
        theirs = Notification.get(Notification.user == people["catering"].id).id
        mine = Notification.get(Notification.user == people["handler"].id).id
    client = sign_in("handler", app=app)
    body = client.get("/api/v1/notifications").get_json()
    assert body["unread"] == 1
    assert [(n["id"], n["kind"], n["item"], n["read"]) for n in body["notifications"]] == [
        (mine, "dispatch", "DB-2026-0001", False)]
    assert body["notifications"][0]["label"]
    token = csrf_token(client, "/notifications")
    refused = client.post(f"/api/v1/notifications/{theirs}/read", headers={"X-CSRFToken": token})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    done = client.post(f"/api/v1/notifications/{mine}/read", headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["read"] is True
    assert client.get("/api/v1/notifications?unread=1").get_json()["notifications"] == []
    anonymous = app.test_client().get("/api/v1/notifications")
    assert anonymous.status_code == 401 and "error" in anonymous.get_json()


def test_the_api_works_with_a_bearer_token_and_no_cookie(make_app):
    from portal.auth.tokens import create_token

    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        delivery.relay()
        _, token = create_token(people["handler"], "phone")
    api = app.test_client(use_cookies=False)
    headers = bearer(token)
    listed = api.get("/api/v1/notifications", headers=headers).get_json()
    assert listed["unread"] == 1
    mine = listed["notifications"][0]["id"]
    assert api.post(f"/api/v1/notifications/{mine}/read", headers=headers).get_json()["read"] is True
    assert api.get("/api/v1/notifications", headers=headers).get_json()["unread"] == 0


def test_settings_turn_mail_off_per_kind(make_app, smtp_server, sign_in):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
    client = sign_in("handler", app=app)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="dispatch" checked' in page
    token = csrf_token(client, "/notifications/settings")
    kept = ["urge", "reminder_overdue"]
    assert client.post("/notifications/settings", data={"csrf_token": token, "email": kept}).status_code == 303
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="dispatch" checked' not in page and 'value="urge" checked' in page
    with app.app_context():
        assert not EmailPreference.get(EmailPreference.user == people["handler"].id,
                                       EmailPreference.kind == "dispatch").email
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        delivery.relay()
        assert Notification.select().count() == 1
    assert smtp_server.messages == []


def test_an_admin_sets_a_department_robot_and_a_bad_address_is_refused(robots_page):
    app, client = robots_page.app, robots_page.admin
    bad = robots_page.save(kind="wecom", url="ftp://nowhere")
    assert bad.status_code == 422 and "Webhook" in bad.get_data(as_text=True)
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    good = robots_page.save(kind="dingtalk", url=url, secret="SEC1")
    assert good.status_code == 200  # the page that shows the new secret once
    assert url.replace("&", "&amp;") in client.get("/admin/notifications/robots").get_data(as_text=True)
    with app.app_context():
        robot = DepartmentRobot.get()
        assert (robot.kind, robot.url, robot.secret) == ("dingtalk", url, "SEC1")
    robots_page.save(kind="wecom", url="")
    with app.app_context():
        assert DepartmentRobot.select().count() == 0


def test_crafted_robot_form_values_answer_404_and_422_not_500(robots_page):
    """Issue 10, finding 8: 2^63 as the department id; an address no client can parse."""
    huge = robots_page.save(department=str(2**63), kind="wecom", url="https://robot.example/x")
    assert huge.status_code == 404
    for url in ("http://[::1", "https://", "https://robot.example/\r\nX: y"):
        bad = robots_page.save(kind="wecom", url=url)
        assert bad.status_code == 422, url
    with robots_page.app.app_context():
        assert DepartmentRobot.select().count() == 0


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(make_app, sign_in):
    """Its link is a POST (a GET changes nothing): read from then on, the badge one less, the item opened."""
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        for n in range(2):
            dispatch(make_item(people, number=f"DB-2026-{n + 1:04d}"), people["supervisor"], [people["handler"]])
        delivery.relay()
        first = Notification.get(Notification.item == Item.get(Item.number == "DB-2026-0001").id).id
    client = sign_in("handler", app=app, csrf_header=False)  # a browser without scripts: the form's token only
    listing = client.get("/notifications").get_data(as_text=True)
    assert f'action="/notifications/{first}/open"' in listing
    assert client.get(f"/notifications/{first}/open").status_code == 405
    assert badge_count(client) == 2  # listing the notifications and a GET of the address read nothing
    token = csrf_token(client, "/notifications")
    assert client.post(f"/notifications/{first}/open").status_code == 400  # no token
    opened = client.post(f"/notifications/{first}/open", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/items/DB-2026-0001")
    assert badge_count(client) == 1
    with app.app_context():
        assert Notification.get_by_id(first).read_at is not None
    listing = client.get("/notifications").get_data(as_text=True)
    assert f'action="/notifications/{first}/open"' not in listing and 'href="/items/DB-2026-0001"' in listing
    again = client.post(f"/notifications/{first}/open", data={"csrf_token": token})  # opened again: still fine
    assert again.status_code == 303 and badge_count(client) == 1
    with app.app_context():
        theirs = Notification.create(user=people["catering"].id, kind="dispatch", title="别人的")
    assert client.post(f"/notifications/{theirs.id}/open", data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 303
    assert badge_count(client) == 0


def test_what_only_informs_goes_to_the_feed_not_to_the_notifications(make_app, sign_in, tmp_path):
    """Acknowledgements are in the feed only; a closure decided, approved or rejected, and an extension decided
    notify the lead department and the supervisor (the contract's table); the settings offer no feed-only kind."""
    from portal.feed.queries import page_of
    from portal.items.followthrough import Instruction
    from tests.items.conftest import act, attach

    app = make_app(**notify_config())
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    with app.test_request_context():
        people = seed_people()
        supervisor, handler, leader = people["supervisor"], people["handler"], people["leader"]
        item = act(handler, act(supervisor, register(supervisor), "dispatch"), "accept")
        item = act(leader, item, "instruct", comment="本周拿出方案")
        instruction = Instruction.get(Instruction.item == item.id)
        item = act(handler, item, "acknowledge", instruction=str(instruction.event_id), comment="周五前报方案")
        item = act(handler, item, "request_extension", new_deadline=(item.deadline + datetime.timedelta(days=9))
                   .isoformat(), comment="需协调")
        item = act(leader, item, "decide_extension", decision="approve", comment="同意")
        attach(handler, item)
        item = act(handler, item, "request_closure", comment="已完成")
        item = act(supervisor, item, "review", decision="approve")
        item = act(leader, item, "approve", decision="reject", comment="材料不全")
        item = act(handler, item, "request_closure", comment="已补充")
        item = act(supervisor, item, "review", decision="approve")
        item = act(leader, item, "approve", decision="approve")
        delivery.relay()
        kinds = {(n.user.username, n.kind) for n in Notification.select()}
        assert "acknowledge" not in {kind for _user, kind in kinds}
        assert ("handler", "decide_extension") in kinds
        assert ("handler", "approve") in kinds and ("supervisor", "approve") in kinds
        approvals = Notification.select().where(Notification.kind == "approve", Notification.user == handler.id)
        assert approvals.count() == 2  # the rejection, then the approval
        assert ("handler", "instruct") in kinds and ("leader", "request_extension") in kinds
        assert ("supervisor", "request_closure") in kinds and ("leader", "review") in kinds
        shown = {event.action for event in page_of(supervisor)[0]}
        assert {"acknowledge", "decide_extension", "approve"} <= shown
    page = sign_in("handler", app=app).get("/notifications/settings").get_data(as_text=True)
    assert 'value="dispatch"' in page and 'value="approve"' in page
    assert 'value="acknowledge"' not in page and 'value="decide_extension"' in page


def test_e_mail_off_as_a_whole_sends_no_mail_while_in_app_still_arrives(make_app, smtp_server, sign_in):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
    client = sign_in("handler", app=app)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="email_on" value="1" checked' in page
    token = csrf_token(client, "/notifications/settings")
    # Every kind left ticked, but e-mail off as a whole.
    saved = client.post("/notifications/settings", data={"csrf_token": token, "email": ["dispatch", "urge"]})
    assert saved.status_code == 303
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="email_on" value="1" checked' not in page and 'value="dispatch" checked' in page
    with app.app_context():
        dispatch(make_item(people), people["supervisor"], [people["handler"], people["catering"]])
        delivery.relay()
        assert Notification.select().where(Notification.user == people["handler"].id).count() == 1
    assert [m["to"] for m in smtp_server.messages] == [["catering@example.com"]]  # the other one still gets it
    assert badge_count(client) == 1
    client.post("/notifications/settings", data={"csrf_token": token, "email_on": "1", "email": ["dispatch"]})
    with app.app_context():
        dispatch(make_item(people, number="DB-2026-0002"), people["supervisor"], [people["handler"]])
        delivery.relay()
    assert ["handler@example.com"] in [m["to"] for m in smtp_server.messages]
