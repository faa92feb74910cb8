"""/api/v1/kb: articles (list, create, read, change) and their attachments."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..kernel.api import feature_blueprint, json_body
from ..kernel.errors import Invalid
from . import attachments, reading, services
from .models import CATEGORIES, STATUSES

bp = feature_blueprint("kb_api", __name__, "/api/v1/kb")


def attachment_json(article, attachment):
    return {"id": attachment.id, "name": attachment.original_name, "kind": attachment.kind,
            "size": attachment.size, "extract_status": attachment.extract_status,
            "extract_error": attachment.extract_error,
            "url": url_for("kb.download", article_id=article.id, attachment_id=attachment.id)}


def article_json(article, full=False):
    body = {"id": article.id, "title": article.title, "category": article.category, "tags": article.tags,
            "status": article.status, "revision": article.revision, "author": article.author.username,
            "required_for": article.required_for or {"roles": [], "departments": []},
            "updated_at": article.updated_at.isoformat() + "Z",
            "published_at": article.published_at.isoformat() + "Z" if article.published_at else None,
            "url": url_for("kb.view", article_id=article.id)}
    if full:
        body["body"] = article.body
        body["rendered"] = article.rendered
        body["html"] = article.html if article.rendered else None
        body["attachments"] = [attachment_json(article, a) for a in attachments.of(article)]
    return body


def _page_args():
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", str(services.PER_PAGE))
    if not page.isdigit() or not per_page.isdigit() or not (1 <= int(page) <= 10**6) \
            or not 1 <= int(per_page) <= 100:
        message = _("Must be between %(low)s and %(high)s.", low=1, high=100)
        raise Invalid(message, fields={"page": message})
    return int(page), int(per_page)


@bp.get("/articles")
def list_articles():
    page, per_page = _page_args()
    category = request.args.get("category") or None
    if category is not None and category not in CATEGORIES:
        message = _("Choose one of: %(choices)s.", choices=", ".join(CATEGORIES))
        raise Invalid(message, fields={"category": message})
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        message = _("Choose one of: %(choices)s.", choices=", ".join(STATUSES))
        raise Invalid(message, fields={"status": message})
    rows, total = services.list_articles(current_user, category=category, tag=request.args.get("tag") or None,
                                         status=status, page=page, per_page=per_page)
    return jsonify({"total": total, "page": page, "per_page": per_page,
                    "articles": [article_json(a) for a in rows]})


@bp.post("/articles")
def create_article():
    article = services.create_article(current_user, json_body())
    return jsonify(article_json(article, full=True)), 201


@bp.get("/articles/<int:article_id>")
def get_article(article_id):
    return jsonify(article_json(services.get_visible(current_user, article_id), full=True))


@bp.patch("/articles/<int:article_id>")
def patch_article(article_id):
    services.require_writer(current_user)
    article = services.get_visible(current_user, article_id)
    return jsonify(article_json(services.update_article(current_user, article, json_body()), full=True))


@bp.post("/articles/<int:article_id>/attachments")
def add_attachment(article_id):
    article = services.get_visible(current_user, article_id)
    attachment = attachments.add(current_user, article, request.files.get("file"))
    return jsonify(attachment_json(article, attachment)), 201


@bp.post("/articles/<int:article_id>/read")
def read_article(article_id):
    article = services.get_visible(current_user, article_id)
    reading.record_read(current_user, article)
    return jsonify({"article": article.id, "revision": article.revision, "read": article.status == "published"})


@bp.get("/required")
def required():
    rows = reading.required_unread(current_user)
    return jsonify({"total": len(rows), "articles": [
        {"id": a.id, "title": a.title, "category": a.category, "url": url_for("kb.view", article_id=a.id)}
        for a in rows]})


@bp.get("/articles/<int:article_id>/readers")
def article_readers(article_id):
    services.require_writer(current_user)
    article = services.get_visible(current_user, article_id)
    read, unread = reading.readers(current_user, article)
    return jsonify({"article": article.id, "read": [u.username for u, _at in read],
                    "unread": [u.username for u, _at in unread]})


_ERR = {code: {"$ref": f"#/components/responses/{name}"} for code, name in
        (("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"), ("409", "Conflict"),
         ("422", "Invalid"))}
_ARTICLE = {"type": "object", "required": ["id", "title", "category", "status"], "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "tags": {"type": "array", "items": {"type": "string"}},
    "status": {"type": "string", "enum": list(STATUSES)}, "revision": {"type": "integer"},
    "body": {"type": "string"}, "html": {"type": ["string", "null"]}, "rendered": {"type": "boolean"},
    "required_for": {"type": "object", "properties": {
        "roles": {"type": "array", "items": {"type": "string"}},
        "departments": {"type": "array", "items": {"type": "string"}}}},
    "attachments": {"type": "array", "items": {"type": "object"}}}}
_ID = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _ok(schema, description, code="200"):
    return {code: {"description": description, "content": {"application/json": {"schema": schema}}}}


def _errors(*codes):
    return {code: _ERR[code] for code in codes}


_LIST = {"type": "array", "items": {"type": "string"}}

OPENAPI_PATHS = {
    "/api/v1/kb/articles/<int:article_id>/read": {
        "parameters": [_ID],
        "post": {"operationId": "readArticle", "summary": "Record that you read the current revision",
                 "responses": {**_ok({"type": "object"}, "Recorded"), **_errors("401", "404")}}},
    "/api/v1/kb/required": {
        "get": {"operationId": "requiredReading", "summary": "Your unread required articles",
                "responses": {**_ok({"type": "object", "properties": {
                    "total": {"type": "integer"}, "articles": {"type": "array", "items": {"type": "object"}}}},
                    "Unread required articles"), **_errors("401")}}},
    "/api/v1/kb/articles/<int:article_id>/readers": {
        "parameters": [_ID],
        "get": {"operationId": "articleReaders", "summary": "Who has and has not read it (supervisor, admin)",
                "responses": {**_ok({"type": "object", "properties": {"read": _LIST, "unread": _LIST}},
                                    "Usernames"), **_errors("401", "403", "404")}}},
    "/api/v1/kb/articles": {
        "get": {"operationId": "listArticles", "summary": "Knowledge-base articles you may read",
                "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                               for n in ("category", "tag", "status", "page", "per_page")],
                "responses": {**_ok({"type": "object", "properties": {
                    "total": {"type": "integer"}, "articles": {"type": "array", "items": _ARTICLE}}}, "One page"),
                    **_errors("401", "422")}},
        "post": {"operationId": "createArticle", "summary": "Write an article (supervisor, admin)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ARTICLE}}},
                 "responses": {**_ok(_ARTICLE, "The new article", "201"), **_errors("401", "403", "422")}}},
    "/api/v1/kb/articles/<int:article_id>": {
        "parameters": [_ID],
        "get": {"operationId": "getArticle", "summary": "One article with its body, HTML and attachments",
                "responses": {**_ok(_ARTICLE, "The article"), **_errors("401", "404")}},
        "patch": {"operationId": "updateArticle", "summary": "Change an article (a new revision)",
                  "requestBody": {"required": True, "content": {"application/json": {"schema": _ARTICLE}}},
                  "responses": {**_ok(_ARTICLE, "The article"), **_errors("401", "403", "404", "409", "422")}}},
    "/api/v1/kb/articles/<int:article_id>/attachments": {
        "parameters": [_ID],
        "post": {"operationId": "addArticleAttachment", "summary": "Attach a file (multipart `file`)",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                 "responses": {**_ok({"type": "object", "properties": {
                     "id": {"type": "integer"}, "extract_status": {"type": "string"}}}, "The attachment", "201"),
                     **_errors("401", "403", "404", "422")}}},
}
