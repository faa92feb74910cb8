"""/api/v1/digests: the digests the caller may read, newest week first."""

from flask import jsonify, url_for
from flask_login import current_user

from ..kernel.api import feature_blueprint
from . import services

bp = feature_blueprint("digests_api", __name__, "/api/v1")


def digest_json(digest):
    return {"id": digest.id, "leader": digest.leader.username, "week": digest.week,
            "from": digest.period_start.isoformat(), "to": digest.period_end.isoformat(),
            "created_at": digest.created_at.isoformat() + "Z", "sections": digest.sections,
            "url": url_for("digests.show", digest_id=digest.id)}


@bp.get("/digests")
def list_digests():
    rows = services.visible_digests(current_user).limit(100)
    return jsonify({"digests": [digest_json(d) for d in rows]})


OPENAPI_PATHS = {
    "/api/v1/digests": {"get": {
        "operationId": "listDigests", "summary": "Weekly digests: a leader's own, every leader's for supervisors",
        "responses": {"200": {"description": "Digests, newest week first, with their sections"},
                      "401": {"description": "Sign in"}, "403": {"description": "Neither leader nor supervisor"}}}},
}
