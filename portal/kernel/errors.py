"""Errors: the exceptions services raise, and how every error is shown.

The same error is a full page for a browser, a small alert for an htmx
request and ``{"error": {...}}`` for the API. No traceback reaches a user.
"""

import contextlib
import logging

import peewee
from flask import current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .htmx import is_htmx

log = logging.getLogger(__name__)


class PortalError(Exception):
    """A refusal a user should see: ``status`` and ``code`` as in docs/items.md."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(PortalError):
    status, code = 422, "invalid"


class InsufficientStorage(Invalid):
    """The server has no room for an upload (the disk is full): 507 for the API; forms show the message
    beside the file field like any refused file."""

    status, code = 507, "insufficient_storage"


class Forbidden(PortalError):
    status, code = 403, "forbidden"


class NotFound(PortalError):
    status, code = 404, "not_found"


class Conflict(PortalError):
    status, code = 409, "conflict"


class TooManyRequests(PortalError):
    status, code = 429, "too_many_requests"


class Unavailable(PortalError):
    status, code = 503, "unavailable"


def default_message(status):
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("This page or object does not exist, or you may not see it."),
        405: _("This action is not available here."),
        409: _("Someone else changed this in the meantime, or it is not possible in its current state."),
        413: _("The upload is too large."),
        422: _("Some of the input is not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
        503: _("A service the portal needs is unavailable. Please try again later."),
    }
    return messages.get(status, messages[400] if status < 500 else messages[500])


def wants_json():
    return request.path.startswith("/api/")


def error_response(status, code, message=None, fields=None):
    """Render an error for whoever asked: JSON for the API, a partial for htmx, else a page."""
    message = message or default_message(status)
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status
    context = {"status": status, "code": code, "message": message, "fields": fields or {}}
    if is_htmx():
        # Errors that are not about a form go to the page's message area.
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "afterbegin"}
        return render_template("errors/_error.html", **context), status, headers
    return render_template("errors/error.html", **context), status


def init_app(app):
    @app.errorhandler(PortalError)
    def _portal_error(exc):
        response = make_response(error_response(exc.status, exc.code, exc.message, exc.fields))
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)  # 429: when to try again
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        code = (exc.name or "error").lower().replace(" ", "_")
        description = None
        if exc.code == 400 and getattr(exc, "description", "") and "CSRF" in str(exc.description):
            description = _("The form has expired or lacks its security token. Reload the page and try again.")
        response = make_response(error_response(exc.code or 500, code, description))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110: what it does answer
        return response

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def _database_unavailable(exc):
        from .db import database, is_postgres

        # PostgreSQL unreachable, restarting or cutting connections (and serialisation failures); SQLite busy.
        if not (is_postgres() or "locked" in str(exc)):
            return _unexpected(exc)
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        with contextlib.suppress(peewee.PeeweeException):
            database.close()  # a dropped connection is forgotten; the next request connects anew
        # The error page is drawn without the database: as for a visitor who is not signed in.
        g._login_user = current_app.login_manager.anonymous_user()
        return error_response(503, "unavailable")

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error")
