"""The OpenAPI description of /api/v1/feed."""

from ..kernel.openapi import ERRORS, PERSON, query, response
from .queries import KIND_LABELS

EVENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(KIND_LABELS)}, "action": {"type": "string"},
    "item": {"type": "object", "properties": {"number": {"type": "string"}, "title": {"type": "string"}}},
    "actor": PERSON, "comment": {"type": "string"}, "decision": {"type": ["string", "null"]},
    "to_state": {"type": ["string", "null"]}, "created_at": {"type": "string", "format": "date-time"},
    "unread": {"type": "boolean"}}}

PATHS = {
    "/api/v1/feed": {"get": {
        "operationId": "feed", "summary": "Instructions, acknowledgements, urges, approvals, returns and closures "
                                          "on the items you may see, newest first",
        "parameters": [query("kind", "kind(s): " + ", ".join(KIND_LABELS)),
                       query("department", "department code: lead or co-department"),
                       query("before", "only events older than this id (the next page)", {"type": "integer"})],
        "responses": {"200": response({"type": "object", "properties": {
            "events": {"type": "array", "items": EVENT}, "has_more": {"type": "boolean"},
            "unread": {"type": "integer"}}}, "One page of the feed"),
            **{c: ERRORS[c] for c in ("401", "403", "422")}}}},
    "/api/v1/feed/read": {"post": {
        "operationId": "feedRead", "summary": "Mark the whole feed read",
        "responses": {"200": response({"type": "object", "properties": {"last_seen": {"type": "integer"},
                                                                     "unread": {"type": "integer"}}}, "Read"),
                      **{c: ERRORS[c] for c in ("401", "403")}}}},
}

