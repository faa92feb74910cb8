"""Every petition route for every role, and the resident's phone masked for handlers wherever it could leak:
pages, the API, list search, notifications (in-app, e-mail text) and the item a petition becomes."""

import pytest

from portal.kernel.db import database
from portal.notify import delivery
from portal.notify.messages import compose
from portal.notify.models import Notification, Outbox

from .conftest import MASKED, PHONE, act

LANDLINE = "0351-2345678"


@pytest.fixture
def assigned(sign_in, demo, petition):
    """A petition assigned to 物业服务中心 (handler: ``handler``), with a landline in its text too."""
    number = petition(content=f"暖气不热，请回电{PHONE}或{LANDLINE}")
    assert act(sign_in("supervisor"), number, "assign", department="property",
               comment=f"请联系{PHONE}").status_code == 200
    return number


# route -> {role: expected status}; "admin" holds no business role.
def routes(number):
    return {
        "/petitions": {"leader": 200, "supervisor": 200, "handler": 200, "catering": 200, "admin": 403},
        "/petitions/new": {"leader": 403, "supervisor": 200, "handler": 403, "catering": 403, "admin": 403},
        f"/petitions/{number}": {"leader": 200, "supervisor": 200, "handler": 200, "catering": 404, "admin": 403},
        "/petitions/export.csv": {"leader": 200, "supervisor": 200, "handler": 200, "catering": 200, "admin": 403},
        "/petitions/hot": {"leader": 200, "supervisor": 200, "handler": 403, "catering": 403, "admin": 403},
        "/api/v1/petitions": {"leader": 200, "supervisor": 200, "handler": 200, "catering": 200, "admin": 403},
        f"/api/v1/petitions/{number}": {"leader": 200, "supervisor": 200, "handler": 200, "catering": 404,
                                        "admin": 403},
        "/api/v1/petitions/hot": {"leader": 200, "supervisor": 200, "handler": 403, "catering": 403, "admin": 403},
    }


def test_every_route_for_every_role(app, sign_in, demo, assigned):
    for path, expected in routes(assigned).items():
        for role, status in expected.items():
            assert sign_in(role).get(path).status_code == status, (path, role)
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/petitions").status_code == 401
    assert anonymous.get("/petitions").status_code in (302, 303)
    assert anonymous.get(f"/api/v1/petitions/{assigned}").status_code == 401

    posts = {"/api/v1/petitions": {"leader": 403, "handler": 403, "admin": 403},
             f"/api/v1/petitions/{assigned}/actions/close": {"leader": 403, "handler": 403, "catering": 404,
                                                             "admin": 403},
             f"/api/v1/petitions/{assigned}/actions/nothing": {"supervisor": 404}}
    for path, expected in posts.items():
        for role, status in expected.items():
            assert sign_in(role).post(path, json={"version": 2, "channel": "hotline"}).status_code == status, (
                path, role)
    # a handler of another department sees none of it in lists
    assert sign_in("catering").get("/api/v1/petitions").get_json()["total"] == 0
    assert assigned not in sign_in("catering").get("/petitions").get_data(as_text=True)


def test_handlers_never_see_the_phone(app, sign_in, demo, assigned):
    handler, supervisor = sign_in("handler"), sign_in("supervisor")
    leaks = []
    for path in ("/petitions", f"/petitions/{assigned}", "/petitions/export.csv", "/api/v1/petitions", f"/api/v1/petitions/{assigned}",
                 f"/api/v1/petitions?q={PHONE}", "/api/v1/petitions?q=5678", "/notifications",
                 "/api/v1/notifications"):
        text = handler.get(path).get_data(as_text=True)
        if PHONE in text or "2345678" in text.replace("****5678", "").replace("***5678", ""):
            leaks.append(path)
    assert leaks == []
    body = handler.get(f"/api/v1/petitions/{assigned}").get_json()
    assert body["resident_phone"] == MASKED and "****5678" in body["content"]
    assert MASKED in handler.get(f"/petitions/{assigned}").get_data(as_text=True)
    # searching by the phone finds nothing for a handler, the petition for the office
    assert handler.get(f"/api/v1/petitions?q={PHONE}").get_json()["total"] == 0
    assert supervisor.get(f"/api/v1/petitions?q={PHONE}").get_json()["total"] == 1
    exported = handler.get("/petitions/export.csv").get_data(as_text=True)
    assert assigned in exported and MASKED in exported
    assert PHONE in supervisor.get("/petitions/export.csv").get_data(as_text=True)
    full = supervisor.get(f"/api/v1/petitions/{assigned}").get_json()
    assert full["resident_phone"] == PHONE and PHONE in full["content"]
    assert sign_in("leader").get(f"/api/v1/petitions/{assigned}").get_json()["resident_phone"] == PHONE

    # notifications: the rows, what the relay writes in-app and what an e-mail would say
    with app.app_context(), database.connection_context():
        delivery.relay()
        rows = list(Outbox.select())
        assert rows and all(PHONE not in str(row.data) for row in rows)
        for row in rows:
            message = compose(row)
            assert all(PHONE not in str(part) and LANDLINE not in str(part) for part in message.values())
            assert "/petitions/" + assigned in message["link"]
        notes = list(Notification.select())
        assert notes and all(PHONE not in n.title + n.body for n in notes)
        assert any(assigned in n.title for n in notes)
        note = next(n.id for n in notes if assigned in n.title and n.user.username == "handler")

    # Opening the notification (a POST: it marks it read) leads to the petition.
    assert f'action="/notifications/{note}/open"' in handler.get("/notifications").get_data(as_text=True)
    assert handler.post(f"/notifications/{note}/open").headers["Location"].endswith(f"/petitions/{assigned}")

    # the answer a handler writes is masked to other handlers too, and the item made of it has no phone
    act(handler, assigned, "answer", reply=f"已电话联系 {PHONE}")
    assert PHONE not in handler.get(f"/api/v1/petitions/{assigned}").get_data(as_text=True)
    item = act(supervisor, assigned, "convert").get_json()["item"]
    assert PHONE not in supervisor.get(f"/api/v1/items/{item}").get_data(as_text=True)


def test_hostile_text_in_paths_filters_and_inputs_is_refused_not_a_crash(sign_in, demo, assigned):
    supervisor = sign_in("supervisor")
    for path in ("/api/v1/petitions?q=%00", "/api/v1/petitions?area=a%00b", "/api/v1/petitions?department=%00",
                 "/api/v1/feed?department=%00", "/petitions?q=%00"):
        response = supervisor.get(path)
        assert response.status_code == 200, path
    assert supervisor.get("/api/v1/feed?department=%00").get_json()["events"] == []
    assert supervisor.get("/api/v1/petitions/SQ%00").status_code == 404
    assert act(supervisor, assigned, "assign", department="a\x00b").status_code == 422
    assert act(supervisor, assigned, "merge", into="SQ\x00").status_code == 422
    bad = supervisor.post("/api/v1/petitions", json={"channel": "hotline", "category": "gas", "area": "东\x00区",
                                                     "content": "燃\u202e气", "resident_name": ["x"]})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"area", "content", "resident_name"}
    multiline = supervisor.post("/api/v1/petitions", json={"channel": "hotline", "category": "gas", "area": "东区",
                                                           "content": "第一行\n第二行"})
    assert multiline.status_code == 201 and multiline.get_json()["content"] == "第一行\n第二行"


def test_a_notification_is_withheld_from_a_department_the_petition_left(app, sign_in, demo, petition):
    supervisor = sign_in("supervisor")
    number = petition()
    with app.app_context(), database.connection_context():
        Outbox.delete().execute()
    act(supervisor, number, "assign", department="property")
    with app.app_context(), database.connection_context():
        Outbox.update(status="pending").execute()  # not delivered yet (inline delivery ran after the response)
        Notification.delete().execute()
    act(supervisor, number, "assign", department="catering")
    with app.app_context(), database.connection_context():
        Outbox.update(status="pending").where(Outbox.status != "pending").execute()
        delivery.relay()
        got = {(n.user.username, n.kind) for n in Notification.select()}
        assert got == {("catering", "petition_assign")}
        assert Outbox.select().where(Outbox.status == "withheld").count() == 1
