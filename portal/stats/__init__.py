"""Statistics and rankings (DESIGN §5): /stats, its API, charts and exports."""


def init_app(app):
    from ..kernel.i18n import translated_globals
    from . import labels, views

    app.jinja_env.globals.update(translated_globals(labels.template_globals()))
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    app.extensions.setdefault("openapi_paths", {}).update(views.OPENAPI)
