"""The leaders' weekly digest (定期听取汇报): made weekly by the worker or on demand, in-app and by e-mail."""

from ..kernel import hooks


def init_app(app):
    """Register the digest pages, API, its OpenAPI path, ``flask digest`` and the notification's link."""
    from flask_babel import lazy_gettext as _l

    from ..notify.messages import Kind
    from . import api, services, tasks, views  # noqa: F401  (tasks: the job)
    from .cli import digest

    for blueprint in (views.bp, api.bp):
        app.register_blueprint(blueprint)
    hooks.openapi.add("digests", (api.OPENAPI_PATHS, {}))
    app.cli.add_command(digest)
    hooks.notification_kinds.add("digest", Kind(_l("Weekly digest"), link=_link, page=_page))
    app.jinja_env.globals["digest_section_labels"] = section_labels
    app.jinja_env.globals.update(digest_report=services.report, digest_sections_shown=services.shown_sections)


def section_labels():
    """The title of each section, in the order a digest shows them (registered sections last)."""
    from flask_babel import lazy_gettext as _l

    labels = {"changed": _l("Your items that changed"), "dispatched": _l("Your items newly dispatched"), "red": _l("Red and overdue items"),
              "decisions": _l("Decisions waiting for you"), "closed": _l("Items closed")}
    labels.update({key: label for key, (label, _build, _scope) in hooks.digest_sections.items()})
    return labels


def _page(notification):
    from flask import url_for

    return url_for("digests.index")


def _link(row):
    """The address of the digest an outbox row announces (from app.base_url, like item links)."""
    from flask import current_app, url_for

    base_url = current_app.config["PORTAL"]["app"]["base_url"] or "http://localhost/"
    with current_app.test_request_context("/", base_url=base_url):
        return url_for("digests.show", digest_id=(row.data or {})["digest"], _external=True)
