"""Reports: XLSX exports, the circular (督查通报) as DOCX, the deadline calendar feed, key-task import."""

from ..kernel import hooks


def init_app(app):
    from . import feed, openapi, tasks, views  # noqa: F401  (tasks: the jobs)

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    hooks.openapi.add("reports", (openapi.PATHS, {}))
    hooks.credentials_revoked.add("calendar_feed", feed.revoke)
    app.jinja_env.globals["calendar_feed_url"] = feed.feed_url
