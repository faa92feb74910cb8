"""The JSON API under /api/v1: same services and permissions as the pages (docs/interfaces.md).

Each feature serves its own endpoints from a blueprint made by ``feature_blueprint()``, reads bodies
with ``json_body()`` and describes them in ``hooks.openapi``; this module serves the OpenAPI document.
"""

import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .errors import Invalid
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app):
    app.register_blueprint(bp)


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


def feature_blueprint(name, import_name, url_prefix="/api/v1"):
    """A feature's blueprint under /api/v1 whose every endpoint needs a signed-in user (session or token)."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)
    blueprint.before_request(_signed_in)
    return blueprint


def _signed_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


# No body the portal takes nests deeper than a few levels; a bound far above that keeps a crafted body
# (thousands of brackets) from exhausting the parser's or a handler's stack.
MAX_JSON_DEPTH = 32


def json_body():
    """The request's JSON object, the one way the portal reads a JSON body; 422 on ``body`` when it is
    anything else: not JSON, not an object, or nested deeper than MAX_JSON_DEPTH."""
    data = None
    if request.is_json:
        try:
            data = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):  # RecursionError: nested past the interpreter's stack
            data = None
    if not isinstance(data, dict) or _depth_over(data, MAX_JSON_DEPTH):
        raise Invalid(_("The request body must be a JSON object."),
                      fields={"body": _("The request body must be a JSON object.")})
    return data


def _depth_over(value, limit):
    """True when ``value`` nests lists and objects more than ``limit`` deep (counted without recursion)."""
    todo = [(value, 1)]
    while todo:
        current, depth = todo.pop()
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def int_arg(name, default, low, high):
    """The query parameter ``name`` as a whole number from ``low`` to ``high`` (ASCII digits); 422 otherwise."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        message = _("Must be between %(low)s and %(high)s.", low=low, high=high)
        raise Invalid(message, fields={name: message})
    return int(raw)
