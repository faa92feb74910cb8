"""Reports: XLSX exports, the circular (督查通报) as DOCX, the deadline calendar feed, key-task import."""


def init_app(app):
    from . import feed, openapi, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    app.extensions.setdefault("openapi_paths", {}).update(openapi.PATHS)
    app.jinja_env.globals["calendar_feed_url"] = feed.feed_url
