"""The signed-in user in the JSON API: ``GET /api/v1/me``."""

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from ..kernel.openapi import errors, ref, response

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def user_json(user):
    """The public description of ``user`` the API gives."""
    department = user.department if user.department_id else None
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": sorted(user.roles),
        "department": {"code": department.code, "name": department.name} if department else None,
    }


@bp.get("/me")
@login_required
def me():
    return jsonify(user_json(current_user))


OPENAPI_PATHS = {
    "/api/v1/me": {"get": {
        "operationId": "me", "summary": "The signed-in user",
        "responses": {"200": response({"type": "object", "required": ["username", "roles"], "properties": {
            "username": {"type": "string"}, "display_name": {"type": "string"}, "email": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string",
                                                 "enum": ["leader", "supervisor", "handler", "admin"]}},
            "department": {"oneOf": [ref("Department"), {"type": "null"}]}}}, "You"), **errors("401")}}},
}
