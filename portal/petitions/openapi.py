"""The OpenAPI description of /api/v1/petitions; each action's body derived from workflow.TABLE."""

from ..kernel.openapi import NULLABLE_TIME, PERSON, action_body, action_path, errors, query, ref, response
from .models import CATEGORIES, CHANNELS, SATISFACTION, STATES
from .services import MAX_CONTENT
from .workflow import ACTIONS, TABLE

NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "诉求编号, e.g. SQ-2026-0001"}
RULE = "/api/v1/petitions/<number>/actions/<action>"


SUMMARY = {
    "number": {"type": "string"}, "channel": {"type": "string", "enum": list(CHANNELS)},
    "category": {"type": "string", "enum": list(CATEGORIES)}, "area": {"type": "string"},
    "content": {"type": "string", "description": "phone numbers in it masked for handlers"},
    "resident_name": {"type": "string"},
    "resident_phone": {"type": "string", "description": "masked for handlers: 138****5678"},
    "received_at": {"type": "string", "format": "date-time"}, "reply_due": {"type": "string", "format": "date"},
    "overdue": {"type": "boolean"}, "state": {"type": "string", "enum": list(STATES)},
    "department": {"oneOf": [ref("Department"), {"type": "null"}]},
    "repeat": {"type": "boolean", "description": "重复诉求: same category and area within petitions.repeat_days"},
    "item": {"type": ["string", "null"], "description": "the supervision item it became"},
    "satisfaction": {"type": ["string", "null"], "enum": [*SATISFACTION, None]},
    "version": {"type": "integer"},
}

SCHEMAS = {
    "PetitionInput": {"type": "object", "required": ["channel", "category", "area", "content"], "properties": {
        "channel": {"type": "string", "enum": list(CHANNELS)},
        "category": {"type": "string", "enum": list(CATEGORIES)},
        "area": {"type": "string", "maxLength": 100}, "content": {"type": "string", "maxLength": MAX_CONTENT},
        "resident_name": {"type": "string", "maxLength": 50},
        "resident_phone": {"type": "string", "maxLength": 32,
                           "description": "mainland mobile (13812345678) or landline with area code (0351-2345678)"},
        "received_at": {"type": "string", "description": "a date or date-time, not in the future (default now)"}}},
    "PetitionSummary": {"type": "object", "required": list(SUMMARY), "properties": SUMMARY},
    "PetitionDetail": {"allOf": [ref("PetitionSummary"), {"type": "object", "properties": {
        "reply": {"type": "string"}, "replied_at": NULLABLE_TIME, "replied_late": {"type": "boolean"},
        "closed_at": NULLABLE_TIME, "merged_into": {"type": ["string", "null"]},
        "item_state": {"type": ["string", "null"]}, "item_closed_at": NULLABLE_TIME,
        "repeats": {"type": "array", "items": {"type": "string"}}, "created_by": PERSON,
        "events": {"type": "array", "items": ref("Event")},
        "available_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)}}}}]},
    "PetitionActionResult": {"type": "object", "required": ["event", "petition"], "properties": {
        "event": ref("Event"), "petition": ref("PetitionDetail"),
        "item": {"type": "string", "description": "convert only: the new item's number"}}},
    "HotIssues": {"type": "object", "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "previous_from": {"type": "string", "format": "date"}, "previous_to": {"type": "string", "format": "date"},
        "total": {"type": "integer"}, "previous_total": {"type": "integer"},
        "categories": {"type": "array", "items": {"type": "object", "properties": {
            "category": {"type": "string", "enum": list(CATEGORIES)}, "label": {"type": "string"},
            "count": {"type": "integer"}, "previous": {"type": "integer"}, "change": {"type": "integer"}}}},
        "areas": {"type": "array", "items": {"type": "object", "properties": {
            "area": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
            "previous": {"type": "integer"}, "change": {"type": "integer"}}}}}},
    **{f"PetitionInput.{action.name}": action_body(action) for action in TABLE},
}

PATHS = {
    "/api/v1/petitions": {
        "get": {"operationId": "listPetitions", "summary": "Petitions you may see, newest first", "parameters": [
            query("state", "state(s)"), query("category", "category(ies)"), query("channel", "channel(s)"),
            query("department", "department code(s)"), query("area", "text in the area"),
            query("q", "text in number, area or content (and phone for supervisors and leaders)"),
            query("repeat", "1: repeats only"), query("overdue", "1: replies overdue only"),
            query("from", "received on or after", {"type": "string", "format": "date"}),
            query("to", "received on or before", {"type": "string", "format": "date"}),
            query("page", "page number", {"type": "integer", "minimum": 1}),
            query("per_page", "per page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": {"200": response({"type": "object", "properties": {
                "petitions": {"type": "array", "items": ref("PetitionSummary")}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "total": {"type": "integer"}, "pages": {"type": "integer"}}},
                "One page of petitions"), **errors("401", "403", "422")}},
        "post": {"operationId": "registerPetition", "summary": "Register a petition (supervisor)",
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": ref("PetitionInput")}}},
                 "responses": {"201": response(ref("PetitionDetail"), "The new petition"),
                               **errors("401", "403", "422")}}},
    "/api/v1/petitions/hot": {"get": {
        "operationId": "hotIssues", "summary": "Counts by category and area against the previous period",
        "parameters": [query("from", "first day (default: 29 days before to)", {"type": "string", "format": "date"}),
                       query("to", "last day (default today)", {"type": "string", "format": "date"})],
        "responses": {"200": response(ref("HotIssues"), "Hot issues"), **errors("401", "403", "422")}}},
    "/api/v1/petitions/<number>": {
        "parameters": [NUMBER],
        "get": {"operationId": "getPetition", "summary": "A petition with its timeline and links",
                "responses": {"200": response(ref("PetitionDetail"), "The petition"), **errors("401", "403", "404")}}},
}


def paths(rules):
    """The petition paths among the registered ``rules``: the fixed ones and one per action."""
    found = {rule: spec for rule, spec in PATHS.items() if rule in rules}
    if RULE in rules:
        for action in TABLE:
            found[f"/api/v1/petitions/<number>/actions/{action.name}"] = action_path(
                action, NUMBER, "petition", f"Take the petition action {action.name}",
                f"PetitionInput.{action.name}", "PetitionActionResult", "The event and the petition")
    return found
