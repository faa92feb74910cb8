"""The petition action table (petitions/workflow.py) is the one description of a petition action: its form,
its OpenAPI body, its checks and its recipients say what it says; a refused action writes nothing."""

import datetime
from types import SimpleNamespace

from flask import render_template

from portal.auth.forms import Fields
from portal.kernel.db import database
from portal.notify.models import Outbox
from portal.petitions import reminders
from portal.petitions.models import Petition, PetitionEvent
from portal.petitions.recipients import GROUPS
from portal.petitions.workflow import TABLE
from tests.items.test_action_descriptions import FORM_ONLY, Controls

from .conftest import act


def test_the_form_shows_exactly_the_inputs_of_the_table(app):
    petition = SimpleNamespace(number="SQ-2026-0001", version=2)
    departments = [("property", "物业服务中心"), ("catering", "餐饮服务中心")]
    for action in TABLE:
        with app.test_request_context():
            html = render_template("petitions/_action_form.html", action=action.name, petition=petition,
                                   form_errors=None, form_values=None, department_options=departments)
        form = Controls()
        form.feed(html)
        assert set(form.controls) - FORM_ONLY == {spec.name for spec in action.inputs}, action.name
        for spec in action.inputs:
            control = form.controls[spec.name]
            assert ("required" in control) == (spec.required is True), (action.name, spec.name)
            if spec.kind == "choice":
                assert [v for v in control["options"] if v] == list(spec.choices)
            elif spec.kind == "department":
                assert [v for v in control["options"] if v] == ["property", "catering"]
            elif spec.kind == "text":
                assert control["maxlength"] == str(spec.max_length)


def test_the_openapi_body_states_the_inputs_of_the_table(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/petitions", "/api/v1/petitions/{number}", "/api/v1/petitions/hot"):
        assert path in document["paths"]
    for action in TABLE:
        path = document["paths"][f"/api/v1/petitions/{{number}}/actions/{action.name}"]
        ref = path["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert schema["required"] == ["version"] + [s.name for s in action.inputs if s.required is True]
        assert set(schema["properties"]) == {"version"} | {s.name for s in action.inputs}
        for spec in action.inputs:
            prop = schema["properties"][spec.name]
            if spec.kind == "choice":
                assert prop["enum"] == list(spec.choices)
            else:
                assert prop["type"] == "string"


def test_perform_refuses_exactly_the_missing_required_inputs_and_recipients_exist(app):
    for action in TABLE:
        with app.test_request_context():
            fields = Fields({})
            fields.action(action)
        assert set(fields.errors) == {s.name for s in action.inputs if s.required is True}, action.name
        assert set(action.recipient_groups()) <= set(GROUPS)


def test_a_refused_action_writes_nothing(app, sign_in, demo, petition):
    supervisor = sign_in("supervisor")
    first, second = petition(), petition()
    act(supervisor, first, "assign", department="property")
    with app.app_context(), database.connection_context():
        before = (PetitionEvent.select().count(), Outbox.select().count())
    assert act(supervisor, second, "merge", into="SQ-2000-0001").status_code == 422
    assert act(supervisor, second, "assign", department="property", version=7).status_code == 409
    assert act(supervisor, first, "assign", department="property").status_code == 422  # same department
    with app.app_context(), database.connection_context():
        assert (PetitionEvent.select().count(), Outbox.select().count()) == before
        assert Petition.get(Petition.number == second).version == 1


def test_overdue_replies_remind_once_a_working_day(app, sign_in, demo, petition):
    waiting, answered, new = petition(), petition(area="西山小区"), petition(area="北区")
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    act(supervisor, waiting, "assign", department="property")
    act(supervisor, answered, "assign", department="property")
    act(handler, answered, "answer", reply="已处理")
    with app.app_context(), database.connection_context():
        Petition.update(reply_due=datetime.date(2027, 3, 3)).execute()
        Outbox.delete().execute()
        thursday = datetime.date(2027, 3, 4)
        assert reminders.scan(thursday) == 3  # waiting: handler + supervisor; new: supervisor
        rows = sorted((r.data["petition"], r.recipient.username) for r in Outbox.select())
        assert rows == sorted([(waiting, "handler"), (waiting, "supervisor"), (new, "supervisor")])
        assert reminders.scan(thursday) == 0
        assert reminders.scan(datetime.date(2027, 3, 6)) == 0  # Saturday
        assert reminders.scan(datetime.date(2027, 3, 8)) == 3
        from portal.notify import reminders as scan_all

        assert scan_all.scan(datetime.date(2027, 3, 9))["petition_reply_overdue"] == 3
