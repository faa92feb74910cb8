"""The deadline calendar feed: a secret, rotatable URL on the profile; parsed by the icalendar library."""

import re

import icalendar
import pytest

from tests.conftest import csrf_token

from .conftest import at, d

FEED = re.compile(r'id="feed-url" type="text" readonly value="http://localhost(/feeds/[^"]+\.ics)"')


@pytest.fixture
def on_21_march(history):
    """The history, and the clock stopped on 21 March 2025 for the rest of the test."""
    with at(d(3, 21)):
        yield history


def subscribe(client):
    response = client.post("/profile/calendar-feed", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    match = FEED.search(client.get("/profile").get_data(as_text=True))
    assert match, "the profile shows the feed's address"
    return match.group(1)


def events(app, path):
    response = app.test_client().get(path)  # a calendar client: no session
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.get_data())
    assert str(calendar["version"]) == "2.0" and "督办门户" in str(calendar["prodid"])
    return {str(e["summary"]).rsplit(" ", 1)[-1]: e for e in calendar.walk("VEVENT")}


def test_a_handler_subscribes_to_their_departments_deadlines(app, sign_in, on_21_march):
    client = sign_in("handler")
    assert "创建我的日历订阅地址" in client.get("/profile").get_data(as_text=True)
    path = subscribe(client)
    found = events(app, path)
    # Property's open items: D (overdue), E (returned), I; not the closed or cancelled ones, nor others'.
    assert sorted(found) == ["事项D", "事项E", "事项I"]
    d_event = found["事项D"]
    number = str(d_event["summary"]).split(" ")[0].removeprefix("办理期限：")
    assert d_event.decoded("dtstart") == d(3, 14) and d_event.decoded("dtend") == d(3, 15)
    assert str(d_event["uid"]).startswith(f"{number}@")
    assert str(d_event["url"]).endswith(f"/items/{number}")


def test_a_leader_sees_the_items_they_lead(app, sign_in, on_21_march):
    found = events(app, subscribe(sign_in("leader")))
    assert sorted(found) == ["事项D", "事项E", "事项I", "事项J", "事项K"]  # every open item names them


def test_rotating_the_address_kills_the_old_one_at_once(app, sign_in, on_21_march):
    client = sign_in("supervisor")
    old = subscribe(client)
    new = subscribe(client)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200


def test_forged_and_unknown_addresses_are_404(app, sign_in, on_21_march):
    path = subscribe(sign_in("handler"))
    nonce, mac = path.removeprefix("/feeds/").removesuffix(".ics").split(".")
    anonymous = app.test_client()
    assert anonymous.get(f"/feeds/{nonce}.{mac[:-1]}x.ics").status_code == 404
    assert anonymous.get(f"/feeds/{nonce}.ics").status_code == 404
    assert anonymous.get("/feeds/nothing.nothing.ics").status_code == 404
    assert anonymous.post("/profile/calendar-feed").status_code in (302, 303, 400)


def user_named(app, username):
    from portal.auth.models import User

    with app.app_context():
        return User.get(User.username == username)


def test_signing_out_everywhere_ends_the_feed_too(app, sign_in, on_21_march):
    """Issue 21, finding 9: after an admin's 全部退出登录 the feed's URL answers 404."""
    path = subscribe(sign_in("handler"))
    admin = sign_in("admin")
    response = admin.post(f"/admin/users/{user_named(app, 'handler').id}/sign-out",
                          data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert response.status_code in (200, 303)
    assert app.test_client().get(path).status_code == 404
    again = subscribe(sign_in("handler", new_session=True))  # a new address works again
    assert again != path and app.test_client().get(again).status_code == 200


def test_deactivation_and_a_change_of_roles_end_the_feed(app, sign_in, on_21_march):
    from portal.auth import users

    deactivated, regraded = subscribe(sign_in("handler")), subscribe(sign_in("leader"))
    with app.app_context():
        users.deactivate(user_named(app, "handler"))
        users.grant_override(user_named(app, "leader"), "supervisor")
        users.revoke_override(user_named(app, "leader"), "supervisor")
        users.User.update(active=True).where(users.User.username == "handler").execute()
    assert app.test_client().get(deactivated).status_code == 404  # even once active again
    assert app.test_client().get(regraded).status_code == 404


def test_a_new_password_or_signing_out_the_other_sessions_ends_the_feed(app, sign_in, on_21_march):
    """What a person does when their password or a device may be in other hands ends the feed's URL too."""
    client = sign_in("handler")
    path = subscribe(client)
    token = csrf_token(client, "/profile")
    assert client.post("/profile/password", data={"current_password": "demo", "new_password": "N3w-passw0rd",
                                                  "repeat_password": "N3w-passw0rd", "csrf_token": token}
                       ).status_code == 303
    assert app.test_client().get(path).status_code == 404
    path = subscribe(client)
    assert client.post("/profile/sessions/others/revoke", data={"csrf_token": token}).status_code in (200, 303)
    assert app.test_client().get(path).status_code == 404
