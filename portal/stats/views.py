"""/stats (the page, period in the URL) and GET /api/v1/stats/departments."""

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user, login_required

from .. import htmx
from ..errors import Invalid
from . import charts, periods
from .access import visible_department_ids
from .services import as_json, statistics_for

bp = Blueprint("stats", __name__, url_prefix="/stats")
api = Blueprint("stats_api", __name__, url_prefix="/api/v1")


@bp.before_request
@login_required
def _signed_in():
    """Every statistics page needs a signed-in user."""


@api.before_request
def _api_signed_in():
    """The API answers 401 (JSON) without a session or token."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def _form_values():
    return {key: request.args.get(key, "").strip() for key in ("period", "from", "to")}


@bp.get("")
def index():
    """The figures of a period per department, the ranking and twelve months of trends; 422 for a bad period."""
    visible_department_ids(current_user)  # 403 before anything else for roles without statistics
    values = _form_values()
    try:
        period = periods.from_args(request.args)
    except Invalid as exc:
        return htmx.render("stats/index.html", "stats/_results.html", status=422, errors=exc.fields,
                           values=values, result=None, period=None)
    result = statistics_for(current_user, period)
    context = {
        "errors": {}, "values": values, "result": result, "period": period,
        "bars": charts.ranking_bars(result["departments"], result["best"], result["worst"]),
        "lines": charts.trend_lines(result["trends"]), "series": charts.SERIES,
        "min_items": current_app.config["PORTAL"]["stats"]["min_items"],
        "sees_all": visible_department_ids(current_user) is None,
    }
    return htmx.render("stats/index.html", "stats/_results.html", **context)


@api.get("/stats/departments")
def departments():
    """The figures per department for ``from``/``to`` (or ``period``); a handler's own only, 404 for others."""
    period = periods.from_args(request.args)
    return jsonify(as_json(statistics_for(current_user, period, request.args.get("department", "").strip())))
