"""Residents' petitions (群众诉求, DESIGN §11): registration, triage, replies, hot issues."""


def init_app(app):
    """Register the petition pages and API, the labels templates use, the notification labels and
    the overdue-reply reminders of the reminder scan."""
    from ..api import openapi as api_document
    from ..notify import delivery, messages, reminders as item_reminders
    from ..kernel.i18n import translated_globals
    from . import api, labels, openapi, phones, queries, reminders, views, workflow

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals.update(translated_globals(labels.template_globals()))
    app.jinja_env.globals.update(mask_phones=phones.mask_text, mask_phone=phones.mask)
    messages.KIND_LABELS.update({f"petition_{a.name}": a.notice for a in workflow.TABLE})
    messages.KIND_LABELS[reminders.KIND] = labels.REPLY_OVERDUE
    item_reminders.EXTRA_SCANS[reminders.KIND] = reminders.scan
    api_document.FEATURES["petitions"] = (openapi.paths, openapi.SCHEMAS)
    delivery.RECEIVE_CHECKS["petition"] = queries.may_see_number
    for kind in [f"petition_{a.name}" for a in workflow.TABLE] + [reminders.KIND]:
        messages.LINKS[kind] = _link
    if "digests.index" in app.view_functions:
        from flask_babel import lazy_gettext as _l

        from ..digests.services import register_section
        from . import digest

        register_section("petitions", _l("New residents' petitions"), digest.new_petitions, scope="week")
        register_section("hot_issues", _l("Hot issues raised by residents"), digest.hot, scope="week")


def _link(row):
    """The address of the petition an outbox row is about (from app.base_url, like item links)."""
    from flask import current_app, url_for

    base_url = current_app.config["PORTAL"]["app"]["base_url"] or "http://localhost/"
    with current_app.test_request_context("/", base_url=base_url):
        return url_for("petitions.detail", number=(row.data or {})["petition"], _external=True)
