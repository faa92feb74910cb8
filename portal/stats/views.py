"""/stats (the page, period in the URL) and GET /api/v1/stats/departments."""

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user, login_required

from ..kernel import htmx
from ..kernel.errors import Invalid
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
    # The form shows the period in force: the named one selected, its days filled in.
    values.update({"period": period.kind if period.kind in periods.PERIODS else "",
                   "from": period.start.isoformat(), "to": period.end.isoformat()})
    context = {
        "errors": {}, "values": values, "result": result, "period": period,
        "bars": charts.ranking_bars(result["departments"], result["awards"]),
        "lines": charts.trend_lines(result["trends"]), "series": charts.SERIES,
        "min_items": current_app.config["PORTAL"]["stats"]["min_items"],
        "sees_all": visible_department_ids(current_user) is None,
    }
    return htmx.render("stats/index.html", "stats/_results.html", **context)


def _query(name, description, schema):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


FIGURE_SCHEMA = {"type": "object", "required": ["code", "name", "received", "closed", "score", "rank"], "properties": {
    "code": {"type": "string"}, "name": {"type": "string"},
    **{name: {"type": "integer"} for name in ("received", "closed", "closed_on_time", "open_overdue", "returns",
                                              "extensions", "late_signatures", "late_feedback", "items")},
    **{name: {"type": ["number", "null"]} for name in ("on_time_rate", "avg_days_to_close", "avg_score", "score")},
    "rank": {"type": ["integer", "null"], "description": "1 = best; equal scores share a rank; null: not ranked"},
    "tied": {"type": "boolean", "description": "another department has the same rank"},
    "not_ranked": {"type": ["string", "null"], "enum": ["no_items", "few_items", "nothing_finished", "no_score", None],
                   "description": "why the department is not ranked (null when ranked)"}}}
AWARD = {"type": ["object", "null"], "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                                    "score": {"type": "number"}, "rank": {"type": "integer"}}}
OPENAPI = {"/api/v1/stats/departments": {"get": {
    "operationId": "departmentStats", "summary": "The figures of docs/statistics.md per lead department for a period",
    "parameters": [_query("from", "first day (with to)", {"type": "string", "format": "date"}),
                   _query("to", "last day (with from)", {"type": "string", "format": "date"}),
                   _query("period", "this month, quarter (default) or year",
                          {"type": "string", "enum": list(periods.PERIODS)}),
                   _query("department", "one department's code (a handler: only their own)", {"type": "string"})],
    "responses": {
        "200": {"description": "Figures, ranking and awards", "content": {"application/json": {"schema": {
            "type": "object", "required": ["from", "to", "departments", "best", "worst"], "properties": {
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "departments": {"type": "array", "items": FIGURE_SCHEMA}, "best": AWARD, "worst": AWARD,
                "awards": {"type": "object", "description": "every department sharing the best or worst rank",
                           "properties": {"best": {"type": "array", "items": AWARD},
                                          "worst": {"type": "array", "items": AWARD}}}}}}}},
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Forbidden"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}}}}}


@api.get("/stats/departments")
def departments():
    """The figures per department for ``from``/``to`` (or ``period``); a handler's own only, 404 for others."""
    period = periods.from_args(request.args)
    return jsonify(as_json(statistics_for(current_user, period, request.args.get("department", "").strip())))
