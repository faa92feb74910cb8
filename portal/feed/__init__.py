"""The instruction feed (灵通信息, DESIGN §11): what leaders instruct and how it is followed through."""


def init_app(app):
    """Register the feed page, its live count and its API (with its OpenAPI paths)."""
    from ..api import openapi
    from . import apidoc, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    openapi.FEATURES["feed"] = (apidoc.paths, {})
    from flask_login import current_user

    from .queries import unread_count

    app.jinja_env.globals["unread_feed"] = lambda: unread_count(current_user)
    if "digests.index" in app.view_functions:
        from flask_babel import lazy_gettext as _l

        from ..digests.services import register_section
        from .digest import instructions

        register_section("instructions", _l("Your instructions and their follow-through"), instructions,
                         scope="leaders")
