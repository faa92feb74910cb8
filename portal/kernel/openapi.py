"""The OpenAPI 3.1 document of /api/v1, built from what each feature describes of its own endpoints.

A feature adds ``(paths, schemas)`` to ``hooks.openapi`` from its init_app: ``paths`` is a dict of Flask
rule -> path item (published only when the app has that rule) or a callable ``paths(rules)`` returning
such a dict (for paths made per action of a table); ``schemas`` go under ``components``. The helpers
below are the shared vocabulary: references, responses, query parameters, the error responses, a person
and the body of an action derived from its workflow description.
"""

from flask import current_app

from . import hooks
from .forms import MAX_VERSION


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def response(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "422": {"$ref": "#/components/responses/Invalid"},
}


def errors(*codes):
    return {code: ERRORS[code] for code in codes}


NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
PERSON = {"type": ["object", "null"], "required": ["username", "display_name"],
          "properties": {"username": {"type": "string"}, "display_name": {"type": "string"}}}


def query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "one message per bad input field"}}}}},
    "Department": {"type": "object", "required": ["code", "name"],
                   "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
}

RESPONSES = {
    "Unauthorized": response(ref("Error"), "Not signed in (no session, or a wrong bearer token)"),
    "Forbidden": response(ref("Error"), "Wrong actor for this action"),
    "NotFound": response(ref("Error"), "No such item, or you may not see it"),
    "Conflict": response(ref("Error"), "Not possible in the current state, or a stale version"),
    "Invalid": response(ref("Error"), "Bad input; error.fields has one message per field"),
    "TooMany": response(ref("Error"), "A per-user quota is used up (kernel/quotas.py); see Retry-After"),
}

# Operations counted by a per-user quota (kernel/quotas.py): they may answer 429.
QUOTA_LIMITED = {("/api/v1/search", "get"), ("/api/v1/reports/circular", "post"),
                 ("/api/v1/imports/key-tasks", "post"), ("/api/v1/items/{number}/attachments", "post"),
                 ("/api/v1/kb/articles/{article_id}/attachments", "post"),
                 ("/api/v1/inspections/{inspection_id}/findings", "post")}

OWN_PATHS = {
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}

NON_BLANK = r"\S"  # a required text must hold more than spaces


def input_schema(spec):
    """The JSON schema of one action input (a workflow.Input), whatever feature's table it is in."""
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
                                   "description": "the version as last read (optimistic lock)"},
                       **{spec.name: input_schema(spec) for spec in inputs}},
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
                     "schema": ref(input_schema)}}},
                 "responses": {"200": response(ref(result_schema), result_text),
                               **errors("401", "403", "404", "409", "422")}}}


def path_of(rule):
    """The OpenAPI path of a Flask rule: /items/<number> -> /items/{number}."""
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/".join(parts)


def document():
    """The OpenAPI document for the endpoints registered in this app."""
    rules = {rule.rule for rule in current_app.url_map.iter_rules()}
    paths, schemas = {}, dict(SCHEMAS)
    for feature_paths, feature_schemas in [(OWN_PATHS, {}), *hooks.openapi.values()]:
        found = feature_paths(rules) if callable(feature_paths) else {
            rule: spec for rule, spec in feature_paths.items() if rule in rules}
        paths.update({path_of(rule): spec for rule, spec in found.items()})
        schemas.update(feature_schemas)
    for path, method in QUOTA_LIMITED:
        operation = paths.get(path, {}).get(method)
        if operation is not None:
            operation["responses"] = {**operation["responses"], "429": {"$ref": "#/components/responses/TooMany"}}
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
