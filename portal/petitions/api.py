"""/api/v1/petitions: list, register, read, actions, hot issues (docs/interfaces.md, docs/front-line.md)."""

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..kernel.api import int_arg, json_body
from ..kernel.clock import local_today
from ..kernel.errors import Forbidden
from . import hot as hot_issues, queries, serialize, services
from .detail import petition_detail

bp = Blueprint("petitions_api", __name__, url_prefix="/api/v1/petitions")


@bp.before_request
def _signed_in():
    """Every endpoint needs a signed-in user (session or bearer token) who works with petitions."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    queries.require_use(current_user)
    return None


def _detail(petition):
    return serialize.petition_detail(petition_detail(current_user, petition, local_today()), current_user)


@bp.get("")
def list_petitions():
    page = int_arg("page", 1, 1, 10**6)
    per_page = int_arg("per_page", 20, 1, 100)
    filters = {key: ",".join(request.args.getlist(key)) for key in queries.FILTERS if request.args.get(key)}
    today = local_today()
    rows, total = queries.search_petitions(current_user, filters, page, per_page, today)
    return jsonify({"petitions": [serialize.petition_summary(p, current_user, today) for p in rows], "page": page,
                    "per_page": per_page, "total": total, "pages": (total + per_page - 1) // per_page})


@bp.post("")
def register():
    petition = services.register(current_user, json_body())
    response = jsonify(_detail(petition))
    response.status_code = 201
    response.headers["Location"] = url_for("petitions_api.get_petition", number=petition.number)
    return response


@bp.get("/hot")
def hot():
    if not queries.sees_all(current_user):
        raise Forbidden(_("Hot issues are for leaders and supervisors."))
    start, end = hot_issues.period(request.args)
    return jsonify(hot_issues.as_json(hot_issues.hot_issues(start, end)))


@bp.get("/<number>")
def get_petition(number):
    return jsonify(_detail(queries.get_visible(current_user, number)))


@bp.post("/<number>/actions/<action>")
def perform(number, action):
    petition = queries.get_visible(current_user, number)
    event, after = services.perform(current_user, petition, action, json_body())
    body = {"event": serialize.event(event, current_user), "petition": _detail(after)}
    if action == "convert":
        body["item"] = event.data["item"]
    return jsonify(body)
