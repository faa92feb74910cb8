"""Notifications in the JSON API: ``GET /api/v1/notifications``, ``POST …/<id>/read``."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from ..kernel.openapi import NULLABLE_TIME, errors, query, response
from ..kernel.paging import page_arg
from . import services
from .messages import kind_label

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")


def _as_json(row):
    return {
        "id": row.id,
        "kind": row.kind,
        "label": str(kind_label(row.kind)),
        "title": row.title,
        "body": row.body,
        "item": row.item.number if row.item_id else None,
        "created_at": row.created_at.isoformat() + "Z",
        "read": row.read_at is not None,
        "read_at": row.read_at.isoformat() + "Z" if row.read_at else None,
    }


@bp.get("/notifications")
@login_required
def api_list():
    page = page_arg()
    per_page = min(max(request.args.get("per_page", services.PER_PAGE, type=int), 1), 100)
    unread_only = request.args.get("unread", "").lower() in ("1", "true", "yes")
    rows, has_more = services.notifications_of(current_user, page, per_page, unread_only)
    return jsonify({"notifications": [_as_json(r) for r in rows], "page": page, "per_page": per_page,
                    "has_more": has_more, "unread": services.unread_count(current_user)})


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def api_read(notification_id):
    return jsonify(_as_json(services.mark_read(current_user, notification_id)))


NOTIFICATION = {"type": "object", "required": ["id", "kind", "title", "read"], "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "label": {"type": "string"},
    "title": {"type": "string"}, "body": {"type": "string"}, "item": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"},
    "read_at": NULLABLE_TIME}}

OPENAPI_PATHS = {
    "/api/v1/notifications": {"get": {
        "operationId": "listNotifications", "summary": "Your notifications, newest first",
        "parameters": [query("page", "page number", {"type": "integer", "minimum": 1}),
                       query("per_page", "per page", {"type": "integer", "minimum": 1, "maximum": 100}),
                       query("unread", "only unread ones when 1 or true")],
        "responses": {"200": response({"type": "object", "properties": {
            "notifications": {"type": "array", "items": NOTIFICATION}, "page": {"type": "integer"},
            "per_page": {"type": "integer"}, "has_more": {"type": "boolean"}, "unread": {"type": "integer"}}},
            "One page of notifications"), **errors("401")}}},
    "/api/v1/notifications/<int:notification_id>/read": {
        "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "post": {"operationId": "readNotification", "summary": "Mark one notification read",
                 "responses": {"200": response(NOTIFICATION, "The notification"), **errors("401", "404")}}},
}
