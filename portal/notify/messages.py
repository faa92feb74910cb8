"""What a notification says: its label per kind, the e-mail and the group-robot message."""

import dataclasses
import re

from flask import current_app, render_template, url_for
from flask_babel import force_locale, format_date, lazy_gettext as _l

from ..items.workflow import TABLE
from ..kernel import hooks

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of notification (an entry of hooks.notification_kinds).

    ``link(row)`` gives the address, for the e-mail and the robots, of a notification that is not about
    one item (whose ``data["text"]`` is its message); ``page(notification)`` the address of its in-app row;
    ``may_receive(user, row)`` says whether its recipient may still see what it is about, at delivery
    time (an item's visibility is checked for every kind).
    """

    label: object
    link: object = None
    page: object = None
    may_receive: object = None
    feed_only: bool = False  # pure information the feed shows: never written, not offered in the settings


# The split of the two inboxes (docs/notifications.md): notifications hold what asks the recipient to act;
# the feed (灵通信息) shows what happened. These item actions only inform, and the feed shows each of them
# to everyone who may see the item, so they are put in nobody's notifications. An acknowledgement asks
# nothing more of the supervisor or the leader. A closure decided (approved or rejected) and an extension decided notify the
# lead department and the supervisor, as docs/notifications.md's table says: the work ends or goes on.
FEED_ONLY = {"acknowledge"}


def informs_only(action):
    """True when item ``action`` is pure information the feed shows (FEED_ONLY)."""
    return action in FEED_ONLY


ITEM_REMINDERS = {
    "reminder_deadline": _l("Deadline approaching"),
    "reminder_feedback": _l("Progress report due"),
    "reminder_overdue": _l("Item overdue"),
    "reminder_escalation": _l("Overdue item escalated to you"),
    "reminder_acknowledge": _l("Instruction waiting for your acknowledgement"),
}


def add_item_kinds():
    """The items' kinds, first in the order the settings page lists them: the actions' notices
    (items.workflow.TABLE), then the reminders; the features' own follow as they add them."""
    for name, label in {**{action.name: action.notice for action in TABLE}, **ITEM_REMINDERS}.items():
        # (an earlier notification of a kind now left to the feed keeps its label in the list)
        hooks.notification_kinds.add(name, Kind(label, feed_only=name in FEED_ONLY))


def kind_labels():
    """{kind: label} of every kind a user can receive, in the settings page's order."""
    return {kind: entry.label for kind, entry in hooks.notification_kinds.items() if not entry.feed_only}


DECISION_LABELS = {"approve": _l("Approved"), "reject": _l("Rejected")}


def kind_label(kind):
    """The user's words for ``kind`` (the kind itself when unknown)."""
    entry = hooks.notification_kinds.get(kind)
    return entry.label if entry is not None else kind


def page_of(notification):
    """The in-app address of a notification: its item's page, or where its kind says; None when neither."""
    if notification.item_id is not None:
        return url_for("items.detail", number=notification.item.number)
    kind = hooks.notification_kinds.get(notification.kind)
    return kind.page(notification) if kind is not None and kind.page is not None else None


def item_link(item):
    """The absolute address of ``item`` (or of the notifications page) built from app.base_url."""
    base_url = current_app.config["PORTAL"]["app"]["base_url"] or "http://localhost/"
    with current_app.test_request_context("/", base_url=base_url):
        if item is not None and "items.detail" in current_app.view_functions:
            return url_for("items.detail", number=item.number, _external=True)
        return url_for("notifications.index", _external=True)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def one_line(text):
    """``text`` on one line: any run of white space or control characters becomes one space."""
    return " ".join(CONTROL.sub(" ", text or "").split())


def markdown_text(text):
    """``text`` as literal Markdown for the robots: one line, every Markdown character escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def compose(row):
    """The message for outbox ``row`` in the portal's language: subject, text, html, robot text, link."""
    item = row.item
    data = row.data or {}
    kind = hooks.notification_kinds.get(row.kind)
    link = kind.link(row) if kind is not None and kind.link is not None else item_link(item)
    comment = row.event.comment if row.event_id else data.get("text", "")
    with force_locale(current_app.config["PORTAL"]["app"]["locale"]):
        # What people typed goes into a mail header and robot Markdown escaped for that medium.
        title = one_line(item.title if item is not None else data.get("title", ""))
        context = {"label": str(kind_label(row.kind)), "item": item, "link": link, "comment": comment,
                   "title": title, "title_markdown": markdown_text(title),
                   "deadline": format_date(item.deadline, "long") if item is not None else "",
                   "decision": str(DECISION_LABELS.get((row.data or {}).get("decision"), "")),
                   "recipient": row.recipient}
        return {
            "label": context["label"],
            "subject": one_line(render_template("notify/email_subject.txt", **context)),
            "text": render_template("notify/email.txt", **context),
            "html": render_template("notify/email.html", **context),
            "robot": render_template("notify/robot.txt", **context).strip(),
            "robot_markdown": render_template("notify/robot.md", **context).strip(),
            "link": link,
        }


def robot_payload(kind, message):
    """The JSON body each robot expects: 企业微信 and 钉钉 markdown, 飞书 text."""
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": message["robot_markdown"]}}
    if kind == "dingtalk":
        return {"msgtype": "markdown",
                "markdown": {"title": message["label"], "text": message["robot_markdown"]}}
    return {"msg_type": "text", "content": {"text": message["robot"]}}
