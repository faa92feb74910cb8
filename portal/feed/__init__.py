"""The instruction feed (灵通信息, docs/front-line.md): what leaders instruct and how it is followed through."""

from ..kernel import hooks


def init_app(app):
    """Register the feed page, its live count and its API (with its OpenAPI paths)."""
    from flask_babel import lazy_gettext as _l

    from . import digest, openapi, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    hooks.openapi.add("feed", (openapi.PATHS, {}))
    from flask_login import current_user

    from .queries import unread_count

    app.jinja_env.globals["unread_feed"] = lambda: unread_count(current_user)
    hooks.digest_sections.add("instructions", (_l("Your instructions and their follow-through"),
                                               digest.instructions, "leaders"))
