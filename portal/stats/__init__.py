"""Statistics and rankings (docs/statistics.md): /stats, its API, charts and exports."""

from ..kernel import hooks


def init_app(app):
    from ..kernel.i18n import translated_globals
    from . import labels, views

    app.jinja_env.globals.update(translated_globals(labels.template_globals()))
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    hooks.openapi.add("stats", (views.OPENAPI, {}))
