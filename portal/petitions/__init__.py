"""Residents' petitions (群众诉求, docs/front-line.md): registration, triage, replies, hot issues."""

from ..kernel import hooks


def init_app(app):
    """Register the petition pages and API, the labels templates use, the notification labels and
    the overdue-reply reminders of the reminder scan."""
    from flask_babel import lazy_gettext as _l

    from ..kernel.i18n import translated_globals
    from ..notify.messages import Kind
    from . import api, board, digest, hot, labels, openapi, phones, reminders, search, views, workflow

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals.update(translated_globals(labels.template_globals()))
    app.jinja_env.globals.update(mask_phones=phones.mask_text, mask_phone=phones.mask)
    for kind, label in [*((f"petition_{a.name}", a.notice) for a in workflow.TABLE),
                        (reminders.KIND, labels.REPLY_OVERDUE)]:
        hooks.notification_kinds.add(kind, Kind(label, link=_link, page=_page, may_receive=_may_receive))
    hooks.reminder_scans.add(reminders.KIND, reminders.scan)
    search.register()
    hooks.board_panels.add("hot_issues", (_l("Hot issues raised by residents"), hot.board_panel,
                                          "petitions/_hot_panel.html", {"leader": "unacknowledged"}))
    for key, title, load, after in (
            ("petitions_to_answer", _l("Petitions to answer"), board.to_answer, {"handler": "to_acknowledge"}),
            ("petitions_to_assign", _l("Petitions to assign"), board.to_assign, {"supervisor": "returned"}),
            ("petitions_to_close", _l("Petition replies to close"), board.to_close,
             {"supervisor": "petitions_to_assign"})):
        hooks.board_panels.add(key, (title, load, "petitions/_board_panel.html", after, True))
    hooks.openapi.add("petitions", (openapi.paths, openapi.SCHEMAS))
    hooks.digest_sections.add("petitions", (_l("New residents' petitions"), digest.new_petitions, "week"))
    hooks.digest_sections.add("hot_issues", (_l("Hot issues raised by residents"), digest.hot, "week"))


def _may_receive(user, row):
    """A petition's notice reaches only who may still see the petition."""
    from .queries import may_see_number

    number = (row.data or {}).get("petition")
    return number is None or may_see_number(user, number)


def _page(notification):
    """The petition a notification is about: its number opens the title the notice was given."""
    from flask import url_for

    return url_for("petitions.detail", number=notification.title.split(" ")[0])


def _link(row):
    """The address of the petition an outbox row is about (from app.base_url, like item links)."""
    from flask import current_app, url_for

    base_url = current_app.config["PORTAL"]["app"]["base_url"] or "http://localhost/"
    with current_app.test_request_context("/", base_url=base_url):
        return url_for("petitions.detail", number=(row.data or {})["petition"], _external=True)
