"""Who may reach what: every route of the app's URL map (and every action of the table) against eight
identities, with the expected answer written down in one table. A route missing from the table fails
the test, and so does a row whose route no longer exists (issue 10, standing proof).

Requests carry a valid CSRF token and an empty body: where the identity may act, the answer is the
input's 422 (or the state's 409, or success); where it may not, 403 or 404, and for anonymous people a
sign-in (302 to /login for pages, 401 for the API). Nothing here depends on a body being right, so the
table is about permission alone.
"""

import datetime
import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from portal.auth import tokens
from portal.auth.models import Department, User
from portal.auth.users import create_user
from portal.calendar import local_today
from portal.db import database
from portal.items import actions, attachments, services
from portal.items.delegations import name_delegate
from portal.items.models import Item
from portal.items.workflow import ACTIONS
from portal.petitions import services as petitions
from portal.petitions.workflow import ACTIONS as PETITION_ACTIONS
from portal.notify.models import Notification, Outbox
from tests.conftest import AuthActions, csrf_token

# The identities, in the order of the columns below.
WHO = ("anonymous", "handler", "catering", "culture", "supervisor", "leader", "deputy", "admin")
# handler: the lead department's handler; catering: a co-department's; culture: another department's;
# leader: the item's own leader; deputy: another leader (not standing in for them today).

A, L, F, H = "allowed", "sign-in", "forbidden", "hidden"
CODES = {"A": A, "L": L, "F": F, "H": H}

EVERYONE = "L A A A A A A A"
ADMIN_ONLY = "L F F F F F F A"
SUPERVISOR_ONLY = "L F F F A F F F"
SEES_ITEM = "L A A H A A A H"

MATRIX = {
    ("GET", "/"): EVERYONE,
    ("GET", "/static/<path:filename>"): "A A A A A A A A",
    ("GET", "/login"): "A A A A A A A A",
    ("POST", "/login"): "A A A A A A A A",
    ("POST", "/locale/<code>"): "A A A A A A A A",
    ("GET", "/profile"): EVERYONE,
    ("POST", "/profile/tokens"): EVERYONE,
    ("POST", "/profile/tokens/<int:token_id>/revoke"): "L A H H H H H H",  # the handler's own token
    ("GET", "/board/<key>"): "L H H H A A A H",  # the red panel: leaders' and supervisors' boards
    # Administration
    ("GET", "/admin/"): ADMIN_ONLY,
    ("GET", "/admin/users"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/overrides"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/overrides/<role>/delete"): ADMIN_ONLY,
    ("GET", "/admin/departments"): ADMIN_ONLY,
    ("POST", "/admin/departments/<int:department_id>"): ADMIN_ONLY,
    ("GET", "/admin/sign-ins"): ADMIN_ONLY,
    ("GET", "/admin/calendar"): ADMIN_ONLY,
    ("POST", "/admin/calendar/days"): ADMIN_ONLY,
    ("POST", "/admin/calendar/days/<day>/delete"): ADMIN_ONLY,
    ("POST", "/admin/calendar/import"): ADMIN_ONLY,
    ("POST", "/admin/calendar/seed"): ADMIN_ONLY,
    ("POST", "/admin/calendar/years/<int:year>/confirm"): ADMIN_ONLY,
    ("GET", "/admin/delegations"): ADMIN_ONLY,
    ("POST", "/admin/delegations"): ADMIN_ONLY,
    ("POST", "/admin/delegations/<int:delegation_id>/end"): ADMIN_ONLY,
    ("GET", "/admin/notifications"): ADMIN_ONLY,
    ("POST", "/admin/notifications/<int:outbox_id>/retry"): ADMIN_ONLY,
    ("GET", "/admin/notifications/robots"): ADMIN_ONLY,
    ("POST", "/admin/notifications/robots"): ADMIN_ONLY,
    # Notifications: the notification is the handler's own
    ("GET", "/notifications"): EVERYONE,
    ("GET", "/notifications/badge"): EVERYONE,
    ("POST", "/notifications/read-all"): EVERYONE,
    ("GET", "/notifications/settings"): EVERYONE,
    ("POST", "/notifications/settings"): EVERYONE,
    ("POST", "/notifications/<int:notification_id>/read"): "L A H H H H H H",
    # Item pages
    ("GET", "/items"): EVERYONE,
    ("GET", "/items/new"): SUPERVISOR_ONLY,
    ("POST", "/items/new"): SUPERVISOR_ONLY,
    ("GET", "/items/new/deadline"): SUPERVISOR_ONLY,
    ("GET", "/items/pickers/<kind>"): SUPERVISOR_ONLY,
    ("GET", "/items/<number>"): SEES_ITEM,
    ("GET", "/items/<number>/print"): SEES_ITEM,
    ("GET", "/items/<number>/edit"): "L F F H A F F H",
    ("POST", "/items/<number>/edit"): "L F F H A F F H",
    ("GET", "/items/<number>/children/new"): "L F F H A F F H",
    ("POST", "/items/<number>/children/new"): "L F F H A F F H",
    ("POST", "/items/<number>/attachments"): SEES_ITEM,
    ("GET", "/items/<number>/attachments/<int:attachment_id>"): SEES_ITEM,
    ("POST", "/items/<number>/follow"): "L F F H A A A H",
    # The API
    ("GET", "/api/v1/openapi.json"): "A A A A A A A A",
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/departments"): EVERYONE,
    ("GET", "/api/v1/notifications"): EVERYONE,
    ("POST", "/api/v1/notifications/<int:notification_id>/read"): "L A H H H H H H",
    ("GET", "/api/v1/items"): EVERYONE,
    ("POST", "/api/v1/items"): SUPERVISOR_ONLY,
    ("GET", "/api/v1/items/<number>"): SEES_ITEM,
    ("PATCH", "/api/v1/items/<number>"): "L F F H A F F H",
    ("POST", "/api/v1/items/<number>/children"): "L F F H A F F H",
    ("POST", "/api/v1/items/<number>/attachments"): SEES_ITEM,
    ("GET", "/api/v1/items/<number>/attachments/<int:attachment_id>"): SEES_ITEM,
    ("PUT", "/api/v1/items/<number>/follow"): "L F F H A A A H",
    ("DELETE", "/api/v1/items/<number>/follow"): SEES_ITEM,
    # Residents' petitions: the petition is assigned to the handler's department (property)
    ("GET", "/petitions"): "L A A A A A A F",
    ("GET", "/petitions/export.csv"): "L A A A A A A F",
    ("GET", "/petitions/new"): "L F F F A F F F",
    ("POST", "/petitions/new"): "L F F F A F F F",
    ("GET", "/petitions/hot"): "L F F F A A A F",
    ("GET", "/petitions/<number>"): "L A H H A A A F",
    ("GET", "/api/v1/petitions"): "L A A A A A A F",
    ("POST", "/api/v1/petitions"): "L F F F A F F F",
    ("GET", "/api/v1/petitions/hot"): "L F F F A A A F",
    ("GET", "/api/v1/petitions/<number>"): "L A H H A A A F",
    # The instruction feed
    ("GET", "/feed"): "L A A A A A A F",
    ("GET", "/feed/count"): "L A A A A A A F",
    ("GET", "/api/v1/feed"): "L A A A A A A F",
    ("POST", "/api/v1/feed/read"): "L A A A A A A F",
    ("POST", "/logout"): "L A A A A A A A",
}

# The actions of §2 on an item in progress (lead: property, co: catering, leader: leader), on the page
# and in the API alike: who passes the permission check (the state may still refuse, 409).
ACTION_MATRIX = {
    "dispatch": "L F F H A F F H",
    "accept": "L A F H F F F H",
    "return": "L A F H F F F H",
    "report": "L A A H F F F H",
    "urge": "L F F H A A A H",
    "instruct": "L F F H F A A H",
    "request_extension": "L A F H F F F H",
    "decide_extension": "L F F H F A F H",
    "request_closure": "L A F H F F F H",
    "review": "L F F H A F F H",
    "approve": "L F F H F A F H",
    "rate": "L F F H A A F H",
    "cancel": "L F F H A A F H",
    "reopen": "L F F H F A F H",
    "acknowledge": "L A A H F F F H",  # nothing to acknowledge: 409 for those who may
}
ACTION_RULES = ("/items/<number>/actions/<action>", "/api/v1/items/<number>/actions/<action>")
# The petition actions (petitions/workflow.py) on a petition assigned to property.
PETITION_ACTION_MATRIX = {
    "assign": "L F H H A F F F",
    "answer": "L A H H F F F F",
    "convert": "L F H H A F F F",
    "merge": "L F H H A F F F",
    "close": "L F H H A F F F",
}
PETITION_ACTION_RULES = ("/petitions/<number>/actions/<action>", "/api/v1/petitions/<number>/actions/<action>")


def expected_table():
    table = dict(MATRIX)
    for rule in ACTION_RULES:
        for name, row in ACTION_MATRIX.items():
            table[("POST", rule.replace("<action>", name))] = row
    for rule in PETITION_ACTION_RULES:
        for name, row in PETITION_ACTION_MATRIX.items():
            table[("POST", rule.replace("<action>", name))] = row
    return table


def routes(app):
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.rule in ACTION_RULES:
                found |= {(method, rule.rule.replace("<action>", name)) for name in ACTIONS}
            elif rule.rule in PETITION_ACTION_RULES:
                found |= {(method, rule.rule.replace("<action>", name)) for name in PETITION_ACTIONS}
            else:
                found.add((method, rule.rule))
    return found


@pytest.fixture
def world(app, demo, tmp_path):
    """An item in progress with a file, the handler's notification and token, a planned delegation."""
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    with app.test_request_context(), database.connection_context():
        create_user("deputy", ["leader"], password="demo", department_code="office", name="副主任")
        people = {u.username: u for u in User.select()}
        item = services.create_item(people["supervisor"], {
            "title": "供暖接入市网", "source_type": "meeting", "lead_department": "property",
            "co_departments": ["catering"], "leader": "leader",
            "deadline": (local_today() + datetime.timedelta(days=30)).isoformat()})
        for who, action in (("supervisor", "dispatch"), ("handler", "accept")):
            item = Item.get_by_id(item.id)
            actions.perform(people[who], item, action, {"version": item.version})
        item = Item.get_by_id(item.id)
        attachment = attachments.add_attachment(people["handler"], item, FileStorage(
            io.BytesIO(b"%PDF-1.4 evidence"), filename="佐证.pdf"))
        planned = local_today() + datetime.timedelta(days=30)
        delegation = name_delegate(people["admin"], {"leader": "leader", "delegate": "deputy",
                                                     "starts": planned.isoformat(),
                                                     "ends": (planned + datetime.timedelta(days=3)).isoformat()})
        petition = petitions.register(people["supervisor"], {
            "channel": "hotline", "category": "heating", "area": "东风小区", "content": "暖气不热",
            "resident_phone": "13812345678"})
        petitions.perform(people["supervisor"], petition, "assign", {"version": 1, "department": "property"})
        token, _secret = tokens.create_token(people["handler"], "matrix")
        from portal.notify.delivery import relay

        relay()
        notification = Notification.get(Notification.user == people["handler"].id)
        values = {
            "number": item.number, "attachment_id": attachment.id, "delegation_id": delegation.id,
            "token_id": token.id, "notification_id": notification.id, "outbox_id": Outbox.select().first().id,
            "user_id": people["handler"].id, "role": "supervisor",
            "department_id": Department.get(Department.code == "property").id,
            "day": "2026-10-01", "year": "2026", "key": "red", "kind": "departments", "code": "zh_CN",
            "filename": "js/portal.js", "petition": petition.number,
        }
    return values


QUERY = {"/items/pickers/<kind>": "?field=lead_department"}


def url_of(rule, values):
    if "/petitions/" in rule:
        values = {**values, "number": values["petition"]}
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)
    return path + QUERY.get(rule, "")


def classify(response, api):
    status = response.status_code
    location = response.headers.get("Location", "")
    if (api and status == 401) or (status in (302, 303) and "/login?next=" in location):
        return L
    if status == 403:
        return F
    if status == 404:
        return H
    if status < 400 or status in (409, 422):
        return A
    return f"unexpected {status}"


def test_the_table_names_every_route_and_no_other(app):
    assert routes(app) == set(expected_table())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_answers_each_identity_as_the_table_says(app, world):
    table = expected_table()
    mismatches = []
    for column, who in enumerate(WHO):
        client = app.test_client()
        if who != "anonymous":
            assert AuthActions(client).login(who).status_code in (302, 303), who
        token = csrf_token(client, "/login" if who == "anonymous" else "/")
        # Sign out last: it ends the session the other requests use.
        for method, rule in sorted(table, key=lambda key: (key[1] == "/logout", key)):
            expected = CODES[table[(method, rule)].split()[column]]
            api = rule.startswith("/api/")
            kwargs = {"headers": {"X-CSRFToken": token}}
            if api and method != "GET":
                kwargs["json"] = {}
            elif method != "GET":
                kwargs["data"] = {"csrf_token": token}
            response = client.open(url_of(rule, world), method=method, **kwargs)
            got = classify(response, api)
            if got != expected:
                mismatches.append(f"{who:10} {method:6} {rule}: expected {expected}, got {got} "
                                  f"({response.status_code})")
    assert not mismatches, "\n" + "\n".join(mismatches)
