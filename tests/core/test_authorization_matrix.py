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
from portal.items import actions, attachments, services
from portal.items.delegations import name_delegate
from portal.items.models import Item
from portal.items.workflow import ACTIONS
from portal.kernel.clock import local_today
from portal.kernel.db import database
from portal.notify.models import Notification, Outbox
from portal.petitions import services as petitions
from portal.petitions.workflow import ACTIONS as PETITION_ACTIONS
from tests.conftest import csrf_token

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
WRITERS = "L F F F A F F A"
STATS = "L A A A A A A F"  # knowledge base: supervisors and admins

MATRIX = {
    ("GET", "/"): EVERYONE,
    ("GET", "/static/<path:filename>"): "A A A A A A A A",
    ("GET", "/login"): "A A A A A A A A",
    ("POST", "/login"): "A A A A A A A A",
    ("POST", "/locale/<code>"): "A A A A A A A A",
    ("GET", "/profile"): EVERYONE,
    ("POST", "/profile/tokens"): EVERYONE,
    ("POST", "/profile/tokens/<int:token_id>/revoke"): "L A H H H H H H",  # the handler's own token
    ("POST", "/profile/password"): EVERYONE,
    ("POST", "/profile/sessions/others/revoke"): EVERYONE,
    ("GET", "/board/<key>"): "L H H H A A A H",  # the red panel: leaders' and supervisors' boards
    # Administration
    ("GET", "/admin/"): ADMIN_ONLY,
    ("GET", "/admin/users"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/overrides"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/overrides/<role>/delete"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/sign-out"): ADMIN_ONLY,
    ("GET", "/admin/users/new"): ADMIN_ONLY,
    ("POST", "/admin/users/new"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/deactivate"): ADMIN_ONLY,
    ("GET", "/admin/users/<int:user_id>/password"): ADMIN_ONLY,
    ("POST", "/admin/users/<int:user_id>/password"): ADMIN_ONLY,
    ("GET", "/admin/departments"): ADMIN_ONLY,
    ("POST", "/admin/departments/<int:department_id>"): ADMIN_ONLY,
    ("GET", "/admin/sign-ins"): ADMIN_ONLY,
    ("GET", "/admin/calendar"): ADMIN_ONLY,
    ("POST", "/admin/calendar/days"): ADMIN_ONLY,
    ("POST", "/admin/calendar/days/<day>/delete"): ADMIN_ONLY,
    ("POST", "/admin/calendar/import"): ADMIN_ONLY,
    ("POST", "/admin/calendar/notice"): ADMIN_ONLY,
    ("GET", "/calendar/year-warning"): EVERYONE,
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
    ("POST", "/notifications/<int:notification_id>/open"): "L A H H H H H H",
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
    # Bulk actions: the body is checked first (an empty one names no bulk action: 404; 422 in the API), then
    # each item by its own permission
    ("POST", "/items/bulk"): "L H H H H H H H",
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
    ("POST", "/api/v1/items/bulk/urge"): EVERYONE,
    ("POST", "/api/v1/items/bulk/dispatch"): EVERYONE,
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
    ("POST", "/feed/seen"): "L A A A A A A F",
    ("GET", "/api/v1/feed"): "L A A A A A A F",
    ("POST", "/api/v1/feed/read"): "L A A A A A A F",
    # Knowledge base (the article is published: everyone reads; supervisors and admins write)
    ("GET", "/kb"): EVERYONE,
    ("GET", "/kb/new"): WRITERS,
    ("POST", "/kb/new"): WRITERS,
    ("POST", "/kb/preview"): WRITERS,
    ("POST", "/kb/images"): WRITERS,
    ("POST", "/kb/<int:article_id>/read"): EVERYONE,
    ("POST", "/kb/<int:article_id>/readers/remind"): WRITERS,
    ("GET", "/kb/<int:article_id>"): EVERYONE,
    ("GET", "/kb/<int:article_id>/body"): EVERYONE,
    ("GET", "/kb/<int:article_id>/edit"): WRITERS,
    ("POST", "/kb/<int:article_id>/edit"): WRITERS,
    ("GET", "/kb/<int:article_id>/revisions"): EVERYONE,
    ("POST", "/kb/<int:article_id>/attachments"): WRITERS,
    ("GET", "/kb/<int:article_id>/attachments/<int:attachment_id>"): EVERYONE,
    ("GET", "/kb/<int:article_id>/attachments/<int:attachment_id>/status"): EVERYONE,
    ("GET", "/kb/<int:article_id>/readers"): WRITERS,  # who has read it: the office
    ("GET", "/kb/<int:article_id>/readers.xlsx"): WRITERS,  # who has read it: the office
    ("GET", "/api/v1/kb/articles"): EVERYONE,
    ("POST", "/api/v1/kb/articles"): WRITERS,
    ("GET", "/api/v1/kb/articles/<int:article_id>"): EVERYONE,
    ("PATCH", "/api/v1/kb/articles/<int:article_id>"): WRITERS,
    ("POST", "/api/v1/kb/articles/<int:article_id>/attachments"): WRITERS,
    ("POST", "/api/v1/kb/articles/<int:article_id>/read"): EVERYONE,
    ("GET", "/api/v1/kb/articles/<int:article_id>/readers"): WRITERS,  # who has read it: the office
    ("GET", "/api/v1/kb/required"): EVERYONE,
    # Search (filtered by what each may see)
    ("GET", "/search"): EVERYONE,
    ("GET", "/api/v1/search"): EVERYONE,
    # Trainings (supervisors organise them; everyone enrols)
    ("GET", "/trainings"): EVERYONE,
    ("GET", "/trainings/new"): SUPERVISOR_ONLY,
    ("POST", "/trainings/new"): SUPERVISOR_ONLY,
    ("GET", "/trainings/<int:training_id>"): EVERYONE,
    ("GET", "/trainings/<int:training_id>.ics"): EVERYONE,
    ("POST", "/trainings/<int:training_id>/attendance"): SUPERVISOR_ONLY,
    ("POST", "/trainings/<int:training_id>/enrolment"): EVERYONE,
    ("POST", "/trainings/<int:training_id>/files"): SUPERVISOR_ONLY,
    ("GET", "/trainings/<int:training_id>/files/<int:file_id>"): EVERYONE,
    ("GET", "/api/v1/trainings"): EVERYONE,
    ("POST", "/api/v1/trainings"): SUPERVISOR_ONLY,
    ("GET", "/api/v1/trainings/<int:training_id>"): EVERYONE,
    ("POST", "/api/v1/trainings/<int:training_id>/attendance"): SUPERVISOR_ONLY,
    ("POST", "/api/v1/trainings/<int:training_id>/enrolment"): EVERYONE,
    ("DELETE", "/api/v1/trainings/<int:training_id>/enrolment"): EVERYONE,
    # Statistics and reports (a handler sees their own department's figures)
    ("GET", "/stats"): STATS,
    ("GET", "/api/v1/stats/departments"): STATS,
    ("GET", "/stats/export.xlsx"): STATS,
    ("GET", "/items/export.xlsx"): EVERYONE,
    ("GET", "/items/import"): SUPERVISOR_ONLY,
    ("POST", "/items/import"): SUPERVISOR_ONLY,
    ("GET", "/items/import/template.xlsx"): SUPERVISOR_ONLY,
    ("POST", "/api/v1/imports/key-tasks"): SUPERVISOR_ONLY,
    ("GET", "/reports/circular"): "L F F F A A A F",
    ("POST", "/reports/circular"): "L F F F A A A F",
    ("POST", "/api/v1/reports/circular"): "L F F F A A A F",
    ("GET", "/api/v1/jobs/<int:job_id>"): "L H H H A H H H",  # the supervisor's own job
    ("GET", "/reports/jobs/<int:job_id>"): "L H H H A H H H",
    ("GET", "/reports/jobs/<int:job_id>/download"): "L H H H A H H H",
    ("GET", "/feeds/<token>.ics"): "A A A A A A A A",  # the secret address is the credential
    ("POST", "/profile/calendar-feed"): EVERYONE,
    ("POST", "/logout"): "L A A A A A A A",
    # Field inspections: the handler and the supervisor are members; the finding concerns the item (so
    # catering, a co-department, sees it and its inspection); only members record, supervisors and
    # leaders take findings up.
    ("GET", "/inspections"): EVERYONE,
    ("GET", "/inspections/new"): SUPERVISOR_ONLY,
    ("POST", "/inspections/new"): SUPERVISOR_ONLY,
    ("GET", "/inspections/<int:inspection_id>"): SEES_ITEM,
    ("GET", "/inspections/<int:inspection_id>/report"): SEES_ITEM,
    ("GET", "/inspections/<int:inspection_id>/photos/<int:photo_id>"): SEES_ITEM,
    ("GET", "/inspections/<int:inspection_id>/photos/<int:photo_id>/thumb"): SEES_ITEM,
    ("POST", "/inspections/<int:inspection_id>/findings"): "L A F H A F F H",
    ("POST", "/inspections/<int:inspection_id>/findings/<int:finding_id>/convert"): "L F F H A A A H",
    ("GET", "/api/v1/inspections"): EVERYONE,
    ("POST", "/api/v1/inspections"): SUPERVISOR_ONLY,
    ("GET", "/api/v1/inspections/<int:inspection_id>"): SEES_ITEM,
    ("POST", "/api/v1/inspections/<int:inspection_id>/findings"): "L A F H A F F H",
    ("POST", "/api/v1/inspections/<int:inspection_id>/findings/<int:finding_id>/convert"): "L F F H A A A H",
    # Weekly digests: the leader's own (not the deputy's), every leader's for supervisors.
    ("GET", "/digests"): "L F F F A A A F",
    ("GET", "/digests/<int:digest_id>"): "L H H H A A H H",
    ("GET", "/api/v1/digests"): "L F F F A A A F",
}

# The actions of docs/items.md on an item in progress (lead: property, co: catering, leader: leader), on the page
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
def world(app, demo, tmp_path, sign_in):
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
        from PIL import Image

        from portal.inspections import services as inspections

        inspection = inspections.plan(people["supervisor"], {
            "subject": "供暖检查", "date": local_today().isoformat(), "members": ["supervisor", "handler"],
            "items": [item.number]})
        photo = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 0, 0)).save(photo, "JPEG")
        finding = inspections.record_finding(people["handler"], inspection, {"text": "漏水", "item": item.number},
                                             [FileStorage(io.BytesIO(photo.getvalue()), filename="p.jpg")])
        from portal.notify.delivery import relay

        relay()
        notification = Notification.get(Notification.user == people["handler"].id)
        values = {
            "number": item.number, "attachment_id": attachment.id, "delegation_id": delegation.id,
            "token_id": token.id, "notification_id": notification.id, "outbox_id": Outbox.select().first().id,
            "user_id": people["handler"].id, "role": "supervisor",
            "department_id": Department.get(Department.code == "property").id,
            "day": "2026-10-01", "year": "2026", "key": "red", "kind": "departments", "code": "zh_CN",
            "filename": "js/portal.js", "petition": petition.number, "inspection_id": inspection.id, "finding_id": finding.id,
            "photo_id": finding.photos[0].id, "digest_id": _leaders_digest(people["leader"]),
        }
    # The knowledge base and trainings, through the API as the supervisor who writes them.
    from tests.kb.conftest import PNG

    writer = sign_in("supervisor")
    article = writer.post("/api/v1/kb/articles", json={"title": "供暖收费制度", "category": "regulation",
                                                       "body": "冬季供暖期间的收费办法。", "status": "published"})
    values["article_id"] = article.get_json()["id"]
    upload = writer.post(f"/api/v1/kb/articles/{values['article_id']}/attachments",
                         data={"file": (io.BytesIO(PNG), "现场.png")}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    values["kb_attachment_id"] = upload.get_json()["id"]
    start = datetime.datetime.combine(local_today() + datetime.timedelta(days=10), datetime.time(9))
    training = writer.post("/api/v1/trainings", json={
        "title": "督办业务培训", "starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
        "place": "301", "trainer": "李秀英", "capacity": 30,
        "enrol_until": (start - datetime.timedelta(days=1)).isoformat()})
    assert training.status_code == 201, training.get_json()
    values["training_id"] = training.get_json()["id"]
    material = writer.post(f"/trainings/{values['training_id']}/files",
                           data={"file": (io.BytesIO(PNG), "讲义.png"), "csrf_token": writer.token},
                           content_type="multipart/form-data", csrf_header=False)
    assert material.status_code == 303
    values["file_id"] = writer.get(f"/api/v1/trainings/{values['training_id']}").get_json()["files"][0]["id"]
    # A report job of the supervisor's; the admin's calendar feed (the admin's own column, last, rotates it).
    job = writer.post("/api/v1/reports/circular", json={"period": "quarter"})
    assert job.status_code == 202, job.get_json()
    values["job_id"] = job.get_json()["job"]
    from portal.reports.feed import feed_of, feed_token, rotate

    with app.test_request_context(), database.connection_context():
        rotate(User.get(User.username == "admin"))
        values["token"] = feed_token(feed_of(User.get(User.username == "admin")))
    return values


def _leaders_digest(leader):
    from portal.digests.models import Digest
    from portal.digests.services import make

    make("2026-W47")
    return Digest.get(Digest.leader == leader.id).id


QUERY = {"/items/pickers/<kind>": "?field=lead_department"}


def url_of(rule, values):
    if rule.startswith(("/kb/", "/api/v1/kb/")):  # the article's own attachments
        values = {**values, "attachment_id": values["kb_attachment_id"]}
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
def test_every_route_answers_each_identity_as_the_table_says(app, world, sign_in):
    table = expected_table()
    mismatches = []
    for column, who in enumerate(WHO):
        if who == "anonymous":
            client = app.test_client()
            token = csrf_token(client, "/login")
        else:  # a session of its own (the world's supervisor keeps theirs), signed out last
            client = sign_in(who, new_session=True)
            token = client.token
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
