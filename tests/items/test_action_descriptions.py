"""The action table (items/workflow.py) is the one description of an action: the form a person fills
in, the OpenAPI body a client sends and the checks of perform() must all say what it says."""

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

from flask import render_template

from portal.auth.forms import Fields
from portal.items.workflow import TABLE

FORM_ONLY = {"csrf_token", "version", "seen"}


class Controls(HTMLParser):
    """The named controls of one form: name -> {"tag", attributes..., "options": [values]}."""

    def __init__(self):
        super().__init__()
        self.controls, self.form, self._select = {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = attrs
        elif tag in ("input", "select", "textarea") and attrs.get("name"):
            control = self.controls.setdefault(attrs["name"], {"tag": tag, **attrs, "options": []})
            if attrs.get("type") == "radio":
                control["options"].append(attrs["value"])
            if tag == "select":
                self._select = control
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


# The events an "event" input offers (as workflow.open_events gives them for a real item).
WAITING = [SimpleNamespace(id=7, created_at=datetime.datetime(2026, 11, 2, 1, 0), comment="抓紧落实",
                           actor=SimpleNamespace(display_name="领导")),
           SimpleNamespace(id=12, created_at=datetime.datetime(2026, 11, 3, 1, 0), comment="再批示",
                           actor=None)]


def rendered_form(app, action):
    item = SimpleNamespace(number="DB-2026-0001", version=3, deadline=datetime.date(2026, 12, 31), progress=40)
    choices = {action.name: {spec.name: WAITING for spec in action.event_inputs}}
    with app.test_request_context():
        html = render_template("items/_action_form.html", action=action.name, item=item, last_event_id=0,
                               form_errors=None, form_values=None, pending_extension=None,
                               input_choices=choices)
    parser = Controls()
    parser.feed(html)
    return parser


def test_the_form_shows_exactly_the_inputs_of_the_table(app):
    for action in TABLE:
        form_agrees_with_the_table(app, action)


def form_agrees_with_the_table(app, action):
    form = rendered_form(app, action)
    controls = form.controls
    assert set(controls) - FORM_ONLY == {spec.name for spec in action.inputs}
    for spec in action.inputs:
        control = controls[spec.name]
        assert ("required" in control) == (spec.required is True), (action.name, spec.name)
        if spec.kind == "choice":
            assert [v for v in control["options"] if v] == list(spec.choices), spec.name
        elif spec.kind == "integer" and control["tag"] == "select":
            assert sorted(int(v) for v in control["options"] if v) == list(range(spec.low, spec.high + 1))
        elif spec.kind == "integer":
            assert (control["type"], control["min"], control["max"]) == ("number", str(spec.low), str(spec.high))
        elif spec.kind == "date":
            assert control["type"] == "date"
        elif spec.kind == "text":
            assert (control["tag"], control["maxlength"]) == ("textarea", str(spec.max_length))
        elif spec.kind == "file":
            assert control["type"] == "file"
        elif spec.kind == "event":
            assert control["tag"] == "select"
            assert [v for v in control["options"] if v] == [str(e.id) for e in WAITING], spec.name
    assert (form.form.get("enctype") == "multipart/form-data") == action.takes_files


def test_the_openapi_body_states_the_inputs_of_the_table(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for action in TABLE:
        openapi_agrees_with_the_table(document, action)


def openapi_agrees_with_the_table(document, action):
    path = document["paths"][f"/api/v1/items/{{number}}/actions/{action.name}"]
    ref = path["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    inputs = [spec for spec in action.inputs if spec.kind != "file"]
    assert schema["required"] == ["version"] + [spec.name for spec in inputs if spec.required is True]
    assert set(schema["properties"]) == {"version"} | {spec.name for spec in inputs}
    for spec in inputs:
        prop = schema["properties"][spec.name]
        if spec.kind == "choice":
            assert prop["enum"] == list(spec.choices)
        elif spec.kind == "integer":
            assert (prop["type"], prop["minimum"], prop["maximum"]) == ("integer", spec.low, spec.high)
        elif spec.kind == "date":
            assert prop == {"type": "string", "format": "date"}
        elif spec.kind == "event":
            assert (prop["type"], prop["minimum"]) == ("integer", 1) and spec.of_action in prop["description"]
        else:
            assert (prop["type"], prop["maxLength"]) == ("string", spec.max_length)
    conditional = [spec.name for spec in inputs if spec.required == "on_reject"]
    assert schema.get("then", {}).get("required", []) == conditional


def test_every_kind_of_input_is_drawn_and_checked():
    """A new kind must be taught to the form, the OpenAPI body and Fields.action (and to the tests above)."""
    assert {spec.kind for action in TABLE for spec in action.inputs} <= {
        "text", "choice", "integer", "date", "file", "event", "department"}


def test_perform_refuses_exactly_the_missing_required_inputs(app):
    for action in TABLE:
        for decision in ("approve", "reject"):
            with app.test_request_context():
                fields = Fields({"decision": decision})
                fields.action(action)
            required = {s.name for s in action.inputs if s.required_when(decision)} - {"decision"}
            assert set(fields.errors) == required, (action.name, decision)
