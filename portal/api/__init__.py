"""The JSON API under /api/v1 (DESIGN.md §8): same services and permissions as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app):
    from . import openapi  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
