"""The OpenAPI description of the items' endpoints under /api/v1; each action's body derived from
workflow.TABLE (tests/items/test_action_descriptions.py holds the document to the table)."""

from ..kernel.files import TYPES
from ..kernel.openapi import (NULLABLE_DATE, NULLABLE_TIME, PERSON, action_body, action_path, errors, query, ref,
                              response)
from .models import LEVELS, SOURCE_TYPES, STATES
from .queries import LIGHTS
from .workflow import ACTIONS, TABLE

NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "督办编号, e.g. DB-2026-0001"}

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
    "lead_department": ref("Department"), "co_departments": {"type": "array", "items": ref("Department")},
    "leader": PERSON, "supervisor": PERSON, "deadline": {"type": "string", "format": "date"},
    "feedback_cycle_days": {"type": "integer"}, "next_feedback_due": NULLABLE_DATE, "accept_due": NULLABLE_DATE,
    "accepted_late": {"type": "boolean"}, "late_feedback_count": {"type": "integer"},
    "extension_count": {"type": "integer"}, "return_count": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"}, "dispatched_at": NULLABLE_TIME,
    "closed_at": NULLABLE_TIME, "closed_on_time": {"type": ["boolean", "null"]},
    "version": {"type": "integer", "description": "send it back with every change (optimistic lock)"},
}

SCHEMAS = {
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
    "ItemDetail": {"allOf": [ref("ItemSummary"), {"type": "object", "properties": {
        "content": {"type": "string"}, "created_by": PERSON,
        "parent": {"type": ["object", "null"], "properties": {"number": {"type": "string"},
                                                              "title": {"type": "string"}}},
        "events": {"type": "array", "items": ref("Event"), "description": "the timeline (留痕), oldest first"},
        "children": {"type": "array", "items": ref("ItemSummary")},
        "attachments": {"type": "array", "items": ref("Attachment")},
        "extension_requests": {"type": "array", "items": ref("ExtensionRequest")},
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
        "items": {"type": "array", "items": ref("ItemSummary")}, "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer", "description": "matches, counted up to a cap (1,000; see total_capped)"},
        "total_capped": {"type": "boolean", "description": "more than total match: keep paging while a page is full"},
        "pages": {"type": "integer", "description": "pages of total (more may follow when total_capped)"}}},
    "ActionResult": {"type": "object", "required": ["event", "item"],
                     "properties": {"event": ref("Event"), "item": ref("ItemDetail")}},
}

# A download is served as the type its (checked) extension names, else application/octet-stream.
DOWNLOAD_TYPES = {media: {"schema": {"type": "string", "format": "binary"}}
                  for media in sorted({t.split(";")[0] for t in TYPES.values()} | {"application/octet-stream"})}

# Flask rule -> OpenAPI path item; only rules the app has registered are published.
PATHS = {
    "/api/v1/departments": {"get": {
        "operationId": "listDepartments", "summary": "Active departments",
        "responses": {"200": response({"type": "object", "properties": {
            "departments": {"type": "array", "items": ref("Department")}}}, "Departments"), **errors("401")}}},
    "/api/v1/items": {
        "get": {"operationId": "listItems", "summary": "Items you may see, filtered and paginated", "parameters": [
            query("state", "state(s), comma-separated or repeated"),
            query("department", "department code(s): lead or co-department"),
            query("light", "red, yellow, green, on_time or late"),
            query("level", "major, important, normal"), query("source_type", "source type(s)"),
            query("leader", "leader username"), query("supervisor", "supervisor username"),
            query("deadline_from", "earliest deadline", {"type": "string", "format": "date"}),
            query("deadline_to", "latest deadline", {"type": "string", "format": "date"}),
            query("q", "text in number, title or content"), query("parent", "children of this item number"),
            query("sort", "order; default urgency: open first (red, yellow, green), then drafts, closed and "
                          "cancelled last, by deadline within each",
                  {"type": "string", "enum": ["urgency", "deadline", "-deadline", "number", "-number", "created",
                                              "-created"]}),
            query("page", "page number", {"type": "integer", "minimum": 1}),
            query("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": {"200": response(ref("ItemPage"), "One page of items"), **errors("401", "422")}},
        "post": {"operationId": "createItem", "summary": "Register a draft item (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ItemInput")}}},
                 "responses": {"201": response(ref("ItemDetail"), "The new draft"), **errors("401", "403", "422")}}},
    "/api/v1/items/<number>": {
        "parameters": [NUMBER],
        "get": {"operationId": "getItem", "summary": "An item with its events, children and light",
                "responses": {"200": response(ref("ItemDetail"), "The item"), **errors("401", "404")}},
        "patch": {"operationId": "updateItem", "summary": "Edit a draft or returned item (supervisor)",
                  "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ItemPatch")}}},
                  "responses": {"200": response(ref("ItemDetail"), "The item"),
                                **errors("401", "403", "404", "409", "422")}}},
    "/api/v1/items/<number>/children": {
        "parameters": [NUMBER],
        "post": {"operationId": "addChild", "summary": "Decompose: add a child item (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ItemInput")}}},
                 "responses": {"201": response(ref("ItemDetail"), "The new child"),
                               **errors("401", "403", "404", "409", "422")}}},
    **{f"/api/v1/items/bulk/{name}": {
        "post": {"operationId": f"bulk_{name}", "summary": f"Take {name} on several items (docs/items.md, bulk "
                 "actions): each in its own transaction, a result per item",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref(f"Bulk.{name}")}}},
                 "responses": {"200": response(ref("BulkResult"), "What became of each item"),
                               **errors("401", "404", "422")}}} for name in ("urge", "dispatch")},
    "/api/v1/items/<number>/attachments": {
        "parameters": [NUMBER],
        "post": {"operationId": "uploadAttachment", "summary": "Attach a file (multipart field file)",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"],
                     "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                 "responses": {"201": response(ref("Attachment"), "The stored attachment"),
                               **errors("401", "403", "404", "409", "422")}}},
    "/api/v1/items/<number>/attachments/<int:attachment_id>": {
        "parameters": [NUMBER, {"name": "attachment_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
        "get": {"operationId": "downloadAttachment", "summary": "Download an attachment under its original name",
                "responses": {"200": {"description": "The file, as an attachment, typed by its checked extension",
                                      "content": DOWNLOAD_TYPES},
                              **errors("401", "404")}}},
    "/api/v1/items/<number>/follow": {
        "parameters": [NUMBER],
        "put": {"operationId": "followItem", "summary": "Follow (关注) the item (leader, supervisor)",
                "responses": {"200": response({"type": "object", "properties": {"following": {"type": "boolean"}}},
                                           "Following"), **errors("401", "403", "404")}},
        "delete": {"operationId": "unfollowItem", "summary": "Stop following the item",
                   "responses": {"200": response({"type": "object", "properties": {
                       "following": {"type": "boolean"}}}, "Not following"), **errors("401", "404")}}},
}

# The body of each action, derived from its description (workflow.TABLE): one path per action, so that
# each states its own required inputs, enums and bounds.
ACTION_RULE = "/api/v1/items/<number>/actions/<action>"


def _action_paths():
    return {f"/api/v1/items/{{number}}/actions/{action.name}": action_path(
        action, NUMBER, "action", f"Take the action {action.name} (docs/items.md)", f"Input.{action.name}",
        "ActionResult", "The event written and the item after it") for action in TABLE}


SCHEMAS.update({f"Input.{action.name}": action_body(action) for action in TABLE})
BULK_ITEMS = {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string"},
              "description": "item numbers"}
SCHEMAS.update({
    "Bulk.urge": {"type": "object", "required": ["items", "comment"], "properties": {
        "items": BULK_ITEMS, "comment": {"type": "string", "minLength": 1, "maxLength": 4000}}},
    "Bulk.dispatch": {"type": "object", "required": ["items"], "properties": {"items": BULK_ITEMS}},
    "BulkResult": {"type": "object", "required": ["action", "done", "results"], "properties": {
        "action": {"type": "string"}, "done": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object", "required": ["item", "status", "ok"], "properties": {
            "item": {"type": "string"}, "ok": {"type": "boolean"}, "label": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "string", "enum": ["done", "urged_recently", "forbidden", "wrong_state",
                                                  "not_found", "invalid", "conflict"]}}}}}},
})


def paths(rules):
    """The items' paths among the registered ``rules``: the fixed ones and one per action."""
    found = {rule: spec for rule, spec in PATHS.items() if rule in rules}
    if ACTION_RULE in rules:
        found.update(_action_paths())
    return found
