"""The OpenAPI 3.1 document of /api/v1, listing only the endpoints this portal has registered."""

from flask import current_app, jsonify

from ..items.attachments import TYPES
from ..items.inputs import MAX_VERSION
from ..items.models import LEVELS, SOURCE_TYPES, STATES
from ..items.queries import LIGHTS
from ..items.workflow import ACTIONS, TABLE
from . import bp


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "422": {"$ref": "#/components/responses/Invalid"},
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "督办编号, e.g. DB-2026-0001"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
PERSON = {"type": ["object", "null"], "required": ["username", "display_name"],
          "properties": {"username": {"type": "string"}, "display_name": {"type": "string"}}}


def _query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


ITEM_INPUT = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "content": {"type": "string"},
        "source_type": {"type": "string", "enum": list(SOURCE_TYPES)},
        "source_ref": {"type": "string", "maxLength": 200},
        "level": {"type": "string", "enum": list(LEVELS)},
        "lead_department": {"type": "string", "description": "department code"},
        "co_departments": {"type": "array", "items": {"type": "string"}, "description": "department codes"},
        "leader": {"type": ["string", "null"], "description": "username of a leader"},
        "supervisor": {"type": ["string", "null"], "description": "username of a supervisor (default: you)"},
        "deadline": {"type": "string", "format": "date",
                     "description": "default: today + workflow.default_days.<source_type>"},
        "feedback_cycle_days": {"type": "integer", "minimum": 0, "maximum": 366},
    },
}

SUMMARY_PROPS = {
    "number": {"type": "string"}, "title": {"type": "string"},
    "source_type": {"type": "string", "enum": list(SOURCE_TYPES)}, "source_ref": {"type": "string"},
    "level": {"type": "string", "enum": list(LEVELS)}, "state": {"type": "string", "enum": list(STATES)},
    "light": {"type": ["string", "null"], "enum": [*LIGHTS, None]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "score": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
    "lead_department": _ref("Department"), "co_departments": {"type": "array", "items": _ref("Department")},
    "leader": PERSON, "supervisor": PERSON, "deadline": {"type": "string", "format": "date"},
    "feedback_cycle_days": {"type": "integer"}, "next_feedback_due": NULLABLE_DATE, "accept_due": NULLABLE_DATE,
    "accepted_late": {"type": "boolean"}, "late_feedback_count": {"type": "integer"},
    "extension_count": {"type": "integer"}, "return_count": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"}, "dispatched_at": NULLABLE_TIME,
    "closed_at": NULLABLE_TIME, "closed_on_time": {"type": ["boolean", "null"]},
    "version": {"type": "integer", "description": "send it back with every change (optimistic lock)"},
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "one message per bad input field"}}}}},
    "Department": {"type": "object", "required": ["code", "name"],
                   "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "ItemInput": ITEM_INPUT,
    "ItemPatch": {"allOf": [ITEM_INPUT, {"type": "object", "required": ["version"],
                                         "properties": {"version": {"type": "integer"}}}]},
    "ItemSummary": {"type": "object", "required": list(SUMMARY_PROPS), "properties": SUMMARY_PROPS},
    "Event": {"type": "object", "required": ["id", "action", "actor", "from_state", "to_state", "comment", "data",
                                             "created_at"],
              "properties": {"id": {"type": "integer"}, "action": {"type": "string"}, "actor": PERSON,
                             "from_state": {"type": ["string", "null"]}, "to_state": {"type": ["string", "null"]},
                             "comment": {"type": "string"}, "data": {"type": "object"},
                             "created_at": {"type": "string", "format": "date-time"}}},
    "Attachment": {"type": "object", "required": ["id", "name", "size", "content_type", "url"],
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
                                  "content_type": {"type": "string"}, "uploaded_by": PERSON,
                                  "created_at": {"type": "string", "format": "date-time"},
                                  "url": {"type": "string", "description": "download link"}}},
    "ExtensionRequest": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["pending", "approved", "rejected", "withdrawn"]},
        "old_deadline": {"type": "string", "format": "date"}, "new_deadline": {"type": "string", "format": "date"},
        "reason": {"type": "string"}, "requested_by": PERSON, "requested_at": {"type": "string"},
        "decided_by": PERSON, "decided_at": NULLABLE_TIME, "decision_comment": {"type": "string"}}},
    "ItemDetail": {"allOf": [_ref("ItemSummary"), {"type": "object", "properties": {
        "content": {"type": "string"}, "created_by": PERSON,
        "parent": {"type": ["object", "null"], "properties": {"number": {"type": "string"},
                                                              "title": {"type": "string"}}},
        "events": {"type": "array", "items": _ref("Event"), "description": "the timeline (留痕), oldest first"},
        "children": {"type": "array", "items": _ref("ItemSummary")},
        "attachments": {"type": "array", "items": _ref("Attachment")},
        "extension_requests": {"type": "array", "items": _ref("ExtensionRequest")},
        "available_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)}},
        "following": {"type": "boolean"},
        "instructions": {"type": "array", "description": "批示落实: each instruct event beside its acknowledgement",
                         "items": {"type": "object", "properties": {
                             "event": {"type": "integer", "description": "the instruct event's id"},
                             "due": NULLABLE_DATE, "overdue": {"type": "boolean"},
                             "acknowledgement": {"type": ["integer", "null"],
                                                 "description": "the acknowledge event's id, or null"},
                             "late": {"type": "boolean"}}}}}}]},
    "ItemPage": {"type": "object", "required": ["items", "page", "per_page", "total", "total_capped", "pages"],
                 "properties": {
        "items": {"type": "array", "items": _ref("ItemSummary")}, "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer", "description": "matches, counted up to a cap (1,000; see total_capped)"},
        "total_capped": {"type": "boolean", "description": "more than total match: keep paging while a page is full"},
        "pages": {"type": "integer", "description": "pages of total (more may follow when total_capped)"}}},
    "ActionResult": {"type": "object", "required": ["event", "item"],
                     "properties": {"event": _ref("Event"), "item": _ref("ItemDetail")}},
}

RESPONSES = {
    "Unauthorized": _json(_ref("Error"), "Not signed in (no session, or a wrong bearer token)"),
    "Forbidden": _json(_ref("Error"), "Wrong actor for this action"),
    "NotFound": _json(_ref("Error"), "No such item, or you may not see it"),
    "Conflict": _json(_ref("Error"), "Not possible in the current state, or a stale version"),
    "Invalid": _json(_ref("Error"), "Bad input; error.fields has one message per field"),
}

# A download is served as the type its (checked) extension names, else application/octet-stream.
DOWNLOAD_TYPES = {media: {"schema": {"type": "string", "format": "binary"}}
                  for media in sorted({t.split(";")[0] for t in TYPES.values()} | {"application/octet-stream"})}

# Flask rule -> OpenAPI path item; only rules the app has registered are published.
PATHS = {
    "/api/v1/departments": {"get": {
        "operationId": "listDepartments", "summary": "Active departments",
        "responses": {"200": _json({"type": "object", "properties": {
            "departments": {"type": "array", "items": _ref("Department")}}}, "Departments"), **_errors("401")}}},
    "/api/v1/items": {
        "get": {"operationId": "listItems", "summary": "Items you may see, filtered and paginated", "parameters": [
            _query("state", "state(s), comma-separated or repeated"),
            _query("department", "department code(s): lead or co-department"),
            _query("light", "red, yellow, green, on_time or late"),
            _query("level", "major, important, normal"), _query("source_type", "source type(s)"),
            _query("leader", "leader username"), _query("supervisor", "supervisor username"),
            _query("deadline_from", "earliest deadline", {"type": "string", "format": "date"}),
            _query("deadline_to", "latest deadline", {"type": "string", "format": "date"}),
            _query("q", "text in number, title or content"), _query("parent", "children of this item number"),
            _query("sort", "order", {"type": "string", "enum": ["deadline", "-deadline", "number", "-number",
                                                                 "created", "-created"]}),
            _query("page", "page number", {"type": "integer", "minimum": 1}),
            _query("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": {"200": _json(_ref("ItemPage"), "One page of items"), **_errors("401", "422")}},
        "post": {"operationId": "createItem", "summary": "Register a draft item (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ItemInput")}}},
                 "responses": {"201": _json(_ref("ItemDetail"), "The new draft"), **_errors("401", "403", "422")}}},
    "/api/v1/items/<number>": {
        "parameters": [NUMBER],
        "get": {"operationId": "getItem", "summary": "An item with its events, children and light",
                "responses": {"200": _json(_ref("ItemDetail"), "The item"), **_errors("401", "404")}},
        "patch": {"operationId": "updateItem", "summary": "Edit a draft or returned item (supervisor)",
                  "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ItemPatch")}}},
                  "responses": {"200": _json(_ref("ItemDetail"), "The item"),
                                **_errors("401", "403", "404", "409", "422")}}},
    "/api/v1/items/<number>/children": {
        "parameters": [NUMBER],
        "post": {"operationId": "addChild", "summary": "Decompose: add a child item (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ItemInput")}}},
                 "responses": {"201": _json(_ref("ItemDetail"), "The new child"),
                               **_errors("401", "403", "404", "409", "422")}}},
    "/api/v1/items/<number>/attachments": {
        "parameters": [NUMBER],
        "post": {"operationId": "uploadAttachment", "summary": "Attach a file (multipart field file)",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"],
                     "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                 "responses": {"201": _json(_ref("Attachment"), "The stored attachment"),
                               **_errors("401", "403", "404", "409", "422")}}},
    "/api/v1/items/<number>/attachments/<int:attachment_id>": {
        "parameters": [NUMBER, {"name": "attachment_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
        "get": {"operationId": "downloadAttachment", "summary": "Download an attachment under its original name",
                "responses": {"200": {"description": "The file, as an attachment, typed by its checked extension",
                                      "content": DOWNLOAD_TYPES},
                              **_errors("401", "404")}}},
    "/api/v1/items/<number>/follow": {
        "parameters": [NUMBER],
        "put": {"operationId": "followItem", "summary": "Follow (关注) the item (leader, supervisor)",
                "responses": {"200": _json({"type": "object", "properties": {"following": {"type": "boolean"}}},
                                           "Following"), **_errors("401", "403", "404")}},
        "delete": {"operationId": "unfollowItem", "summary": "Stop following the item",
                   "responses": {"200": _json({"type": "object", "properties": {
                       "following": {"type": "boolean"}}}, "Not following"), **_errors("401", "404")}}},
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}

NOTIFICATION = {"type": "object", "required": ["id", "kind", "title", "read"], "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "label": {"type": "string"},
    "title": {"type": "string"}, "body": {"type": "string"}, "item": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"},
    "read_at": NULLABLE_TIME}}

# The endpoints of other features under /api/v1 (sign-in, notifications, statistics), described here
# too; each is published only once its feature registers the rule.
EXTRA_PATHS = {
    "/api/v1/stats/departments": {"get": {
        "operationId": "departmentStats", "summary": "Statistics per department for a period (DESIGN §5)",
        "parameters": [_query("from", "first day", {"type": "string", "format": "date"}),
                       _query("to", "last day", {"type": "string", "format": "date"})],
        "responses": {"200": _json({"type": "object"}, "Per department: items, closed, on time, overdue, "
                                                       "average days and score, ranking"),
                      **_errors("401", "403", "422")}}},
    "/api/v1/me": {"get": {
        "operationId": "me", "summary": "The signed-in user",
        "responses": {"200": _json({"type": "object", "required": ["username", "roles"], "properties": {
            "username": {"type": "string"}, "display_name": {"type": "string"}, "email": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string",
                                                 "enum": ["leader", "supervisor", "handler", "admin"]}},
            "department": {"oneOf": [_ref("Department"), {"type": "null"}]}}}, "You"), **_errors("401")}}},
    "/api/v1/notifications": {"get": {
        "operationId": "listNotifications", "summary": "Your notifications, newest first",
        "parameters": [_query("page", "page number", {"type": "integer", "minimum": 1}),
                       _query("per_page", "per page", {"type": "integer", "minimum": 1, "maximum": 100}),
                       _query("unread", "only unread ones when 1 or true")],
        "responses": {"200": _json({"type": "object", "properties": {
            "notifications": {"type": "array", "items": NOTIFICATION}, "page": {"type": "integer"},
            "per_page": {"type": "integer"}, "has_more": {"type": "boolean"}, "unread": {"type": "integer"}}},
            "One page of notifications"), **_errors("401")}}},
    "/api/v1/notifications/<int:notification_id>/read": {
        "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "post": {"operationId": "readNotification", "summary": "Mark one notification read",
                 "responses": {"200": _json(NOTIFICATION, "The notification"), **_errors("401", "404")}}},
}


# The body of each action, derived from its description (items.workflow.TABLE): one path per action,
# so that each states its own required inputs, enums and bounds.
ACTION_RULE = "/api/v1/items/<number>/actions/<action>"
NON_BLANK = r"\S"  # a required text must hold more than spaces


def input_schema(spec):
    """The JSON schema of one action input (items.workflow.Input), whatever feature's table it is in."""
    return _input_schema(spec)


def _input_schema(spec):
    if spec.kind == "choice":
        return {"type": "string", "enum": list(spec.choices)}
    if spec.kind == "integer":
        return {"type": "integer", "minimum": spec.low, "maximum": spec.high}
    if spec.kind == "date":
        return {"type": "string", "format": "date"}
    if spec.kind == "department":
        return {"type": "string", "description": "an active department's code"}
    if spec.kind == "event":
        return {"type": "integer", "minimum": 1,
                "description": f"the id of one of the item's `{spec.of_action}` events not yet answered by this action"}
    schema = {"type": "string", "maxLength": spec.max_length}
    if spec.required is True:
        schema["pattern"] = NON_BLANK
    return schema


def action_body(action):
    """The JSON schema of ``action``'s request body: version and the action's inputs (files attach apart)."""
    inputs = [spec for spec in action.inputs if spec.kind != "file"]
    schema = {
        "type": "object",
        "required": ["version", *(spec.name for spec in inputs if spec.required is True)],
        "properties": {"version": {"type": "integer", "minimum": 0, "maximum": MAX_VERSION,
                                   "description": "the item's version as last read (optimistic lock)"},
                       **{spec.name: _input_schema(spec) for spec in inputs}},
    }
    on_reject = [spec.name for spec in inputs if spec.required == "on_reject"]
    if on_reject:
        schema["if"] = {"required": ["decision"], "properties": {"decision": {"const": "reject"}}}
        schema["then"] = {"required": on_reject, "properties": {name: {"pattern": NON_BLANK} for name in on_reject}}
    return schema


def action_path(action, number, operation_prefix, summary, input_schema, result_schema, result_text):
    """The OpenAPI path item of one action of a table (items, petitions): its own body, its result."""
    camel = "".join(part.title() for part in action.name.split("_"))
    return {
        "parameters": [number],
        "post": {"operationId": f"{operation_prefix}{camel}", "summary": summary,
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": _ref(input_schema)}}},
                 "responses": {"200": _json(_ref(result_schema), result_text),
                               **_errors("401", "403", "404", "409", "422")}}}


def _action_paths():
    return {f"/api/v1/items/{{number}}/actions/{action.name}": action_path(
        action, NUMBER, "action", f"Take the action {action.name} (DESIGN §2)", f"Input.{action.name}",
        "ActionResult", "The event written and the item after it") for action in TABLE}


SCHEMAS.update({f"Input.{action.name}": action_body(action) for action in TABLE})


def _openapi_path(rule):
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/".join(parts)


# Other features' descriptions, added from their init_app: name -> (paths(rules) -> {rule: spec}, schemas).
FEATURES = {}


def document():
    """The OpenAPI document for the endpoints registered in this app."""
    rules = {rule.rule for rule in current_app.url_map.iter_rules()}
    # Features may describe their own endpoints: app.extensions["openapi_paths"] (rule -> path item).
    features = current_app.extensions.get("openapi_paths", {})
    paths = {_openapi_path(rule): spec for rule, spec in {**PATHS, **EXTRA_PATHS, **features}.items()
             if rule in rules}
    if ACTION_RULE in rules:
        paths.update(_action_paths())
    schemas = dict(SCHEMAS)
    for feature_paths, feature_schemas in FEATURES.values():
        paths.update({_openapi_path(rule): spec for rule, spec in feature_paths(rules).items()})
        schemas.update(feature_schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Duban Portal API (督办门户)", "version": "1",
                 "description": "Same permissions as the pages. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas, "responses": RESPONSES,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "flask --app wsgi create-token USERNAME"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "the portal's session; changes also need the X-CSRFToken header"}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
