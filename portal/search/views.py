"""/search (page and results partial) and GET /api/v1/search."""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel import hooks, quotas
from ..kernel.errors import Invalid
from ..kernel.htmx import render
from ..kernel.paging import page_arg
from .services import PER_PAGE, search

bp = Blueprint("search", __name__, url_prefix="/search")
api_bp = Blueprint("search_api", __name__, url_prefix="/api/v1")

MAX_QUERY = 100


def _query():
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or None
    errors = {}
    if len(q) > MAX_QUERY:
        errors["q"] = _("At most %(n)s characters.", n=MAX_QUERY)
    if kind is not None and kind not in hooks.search_sources:
        errors["kind"] = _("Choose one of: %(choices)s.", choices=", ".join(hooks.search_sources))
    return q, kind, errors


@bp.get("")
@login_required
def index():
    q, kind, errors = _query()
    page = page_arg()
    if q and not errors:
        quotas.use("searches")
    total, results = (0, []) if errors or not q else search(current_user, q, kind, page)
    args = {k: v for k, v in {"q": q, "kind": kind}.items() if v}
    return render("search/index.html", "search/_results.html", status=422 if errors else 200, q=q, kind=kind,
                  errors=errors, total=total, results=results, page_number=page, per_page=PER_PAGE, args=args,
                  kind_labels={kind: source.label for kind, source in hooks.search_sources.items()})


@api_bp.get("/search")
def api_search():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    q, kind, errors = _query()
    if not q:
        errors.setdefault("q", _("This field is required."))
    if errors:
        raise Invalid(_("Some of the input is not valid."), fields=errors)
    page = page_arg()
    quotas.use("searches")
    total, results = search(current_user, q, kind, page)
    return jsonify({"total": int(total), "total_capped": total.capped, "page": page, "results": [
        {"kind": r["kind"], "id": r["id"], "title": r["title"], "snippet": str(r["snippet"]), "url": r["url"]}
        for r in results]})


def openapi_paths(rules):
    """/api/v1/search, with the kinds the features made searchable."""
    kinds = list(hooks.search_sources)
    return {} if "/api/v1/search" not in rules else {"/api/v1/search": {"get": {
        "operationId": "search", "summary": "Search the items, articles, trainings, petitions and findings you may see",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": MAX_QUERY}},
            {"name": "kind", "in": "query", "required": False, "schema": {"type": "string", "enum": kinds}},
            {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}],
        "responses": {
            "200": {"description": "Results, best first; snippets are HTML (escaped text, words in <mark>)",
                    "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "total": {"type": "integer",
                                  "description": "matches, counted up to a cap (1,000; see total_capped)"},
                        "total_capped": {"type": "boolean",
                                         "description": "more than total match: keep paging while a page is full"},
                        "page": {"type": "integer"},
                        "results": {"type": "array", "items": {"type": "object", "properties": {
                            "kind": {"type": "string", "enum": kinds},
                            "id": {"type": ["string", "integer"]}, "title": {"type": "string"},
                            "snippet": {"type": "string"}, "url": {"type": "string"}}}}}}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "422": {"$ref": "#/components/responses/Invalid"}}}}}
