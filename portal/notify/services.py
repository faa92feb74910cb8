"""What the notification pages and API do: a user's notifications, choices, and the admin's tools."""

from urllib.parse import urlsplit

import peewee
from flask_babel import gettext as _

from ..auth.models import Department, User
from ..items.models import Item
from ..kernel import changes
from ..kernel.db import database, utcnow
from ..kernel.errors import Conflict, Invalid, NotFound
from ..kernel.text import BadText, clean
from . import egress
from .messages import kind_labels
from .models import ALL_KINDS, ROBOT_KINDS, Delivery, DepartmentRobot, EmailPreference, Notification, Outbox

PER_PAGE = 20


def unread_count(user):
    """How many of ``user``'s notifications are unread (one indexed COUNT); cached until one arrives or
    is read (changes.py)."""
    counter = changes.current(changes.user_counter(changes.NOTIFICATIONS, user.id))
    return changes.memo(("notifications-unread", user.id, counter), lambda: Notification.select().where(
        Notification.user == user.id, Notification.read_at.is_null()).count())


def notifications_of(user, page=1, per_page=PER_PAGE, unread_only=False):
    """One page of ``user``'s notifications, newest first, with their items; and whether more follow."""
    query = (Notification.select(Notification, Item).join(Item, peewee.JOIN.LEFT_OUTER)
             .where(Notification.user == user.id))
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    rows = list(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                .offset((page - 1) * per_page).limit(per_page + 1))
    return rows[:per_page], len(rows) > per_page


def mark_read(user, notification_id):
    """Mark one of ``user``'s notifications read; NotFound for anyone else's."""
    notification = Notification.get_or_none(Notification.id == notification_id, Notification.user == user.id)
    if notification is None:
        raise NotFound(_("This notification does not exist."))
    if notification.read_at is None:
        with database.atomic():
            notification.read_at = utcnow()
            notification.save(only=[Notification.read_at])
            changes.bump(changes.user_counter(changes.NOTIFICATIONS, user.id))
    return notification


def mark_all_read(user):
    """Mark every unread notification of ``user`` read; return how many."""
    with database.atomic():
        marked = Notification.update(read_at=utcnow()).where(
            Notification.user == user.id, Notification.read_at.is_null()).execute()
        if marked:
            changes.bump(changes.user_counter(changes.NOTIFICATIONS, user.id))
    return marked


def email_choices(user):
    """{kind: e-mail on?} for every kind a user can receive (each kind's own choice, whatever the switch)."""
    chosen = {p.kind: p.email for p in EmailPreference.select().where(EmailPreference.user == user.id)}
    return {kind: chosen.get(kind, True) for kind in kind_labels()}


def wants_any_email(user):
    """The person's switch for e-mail as a whole (its row has the kind ALL_KINDS; none: on)."""
    choice = EmailPreference.get_or_none(EmailPreference.user == user.id, EmailPreference.kind == ALL_KINDS)
    return choice is None or choice.email


def set_email_choices(user, kinds_on, email_on=True):
    """E-mail on or off as a whole (``email_on``), and per kind: on for ``kinds_on``, off for every other kind
    (in-app stays on whatever the choice)."""
    unknown = set(kinds_on) - set(kind_labels())
    if unknown:
        raise Invalid(_("Unknown kind of notification."), fields={"email": _("Unknown kind of notification.")})
    rows = [{"user": user.id, "kind": kind, "email": kind in kinds_on} for kind in kind_labels()]
    rows.append({"user": user.id, "kind": ALL_KINDS, "email": bool(email_on)})
    with database.atomic():
        EmailPreference.delete().where(EmailPreference.user == user.id).execute()
        EmailPreference.insert_many(rows).execute()


def failures(page=1, per_page=PER_PAGE):
    """Failed notifications, newest first, with recipient, item and the error of each failed channel."""
    rows = list(Outbox.select(Outbox, User, Item).join(User).switch(Outbox).join(Item, peewee.JOIN.LEFT_OUTER)
                .where(Outbox.status == "failed").order_by(Outbox.id.desc())
                .offset((page - 1) * per_page).limit(per_page + 1))
    errors = {}
    if rows:
        for delivery in Delivery.select().where(Delivery.outbox.in_([r.id for r in rows[:per_page]]),
                                                Delivery.status == "failed"):
            errors.setdefault(delivery.outbox_id, []).append(delivery)
    return rows[:per_page], len(rows) > per_page, errors


def retry(outbox_id):
    """Give a failed notification a fresh set of attempts; channels already sent are not repeated."""
    changed = Outbox.update(status="pending", attempts=0, lease_until=None).where(
        Outbox.id == outbox_id, Outbox.status == "failed").execute()
    if not changed:
        if Outbox.get_or_none(Outbox.id == outbox_id) is None:
            raise NotFound()
        raise Conflict(_("This notification is not failed (any more)."))
    from flask import g

    g.notify_outbox_written = True  # relayed once the response is out, like any new notification


def robots():
    """Every active department with its robot (or None), in the departments' order."""
    configured = {r.department_id: r for r in DepartmentRobot.select()}
    departments = Department.select().where(Department.active).order_by(Department.sort_order, Department.name)
    return [(d, configured.get(d.id)) for d in departments]


def masked(secret):
    """A signing secret as the robots page shows it after saving: dots and at most its last four characters."""
    if not secret:
        return ""
    return "••••••" + (secret[-4:] if len(secret) >= 12 else "")


def _webhook_error(url):
    """Why the portal may not send to ``url``, or None: it must be an http(s) address with a host, on one
    line, whose host is among ``notify.robot_hosts`` and not inside the intranet unless listed
    (egress.py; checked again at each delivery)."""
    try:
        parts = urlsplit(clean(url))
        port = parts.port
    except (BadText, ValueError):
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        return _("Enter the robot's webhook address (http:// or https://).")
    try:
        egress.check_on_save(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except egress.Refused:
        return _("The portal sends only to the robot services of WeCom, DingTalk and Feishu (and to the "
                 "hosts the administrator of the server allows).")
    return None


def set_robot(department_id, kind, url, secret="", clear_secret=False):
    """Set (or, with an empty URL, remove) a department's robot; the URL must be http(s).

    An empty ``secret`` keeps the one saved before (the page never shows it
    again), unless ``clear_secret``.
    """
    if department_id is None:
        raise Invalid(_("Choose a department."), fields={"department": _("Choose a department.")})
    department = Department.get_or_none(Department.id == department_id) \
        if isinstance(department_id, int) and 0 < department_id < 2**31 else None
    if department is None:
        raise NotFound()
    url = (url or "").strip()
    if not url:
        DepartmentRobot.delete().where(DepartmentRobot.department == department.id).execute()
        return None
    fields = {}
    if kind not in ROBOT_KINDS:
        fields["kind"] = _("Choose WeCom, DingTalk or Feishu.")
    url_error = _webhook_error(url)
    if url_error:
        fields["url"] = url_error
    secret = (secret or "").strip()
    if len(secret) > 200:
        fields["secret"] = _("The signing secret is too long.")
    if fields:
        raise Invalid(next(iter(fields.values())), fields=fields)
    if not secret and not clear_secret:
        saved = DepartmentRobot.get_or_none(DepartmentRobot.department == department.id)
        secret = saved.secret if saved else ""
    DepartmentRobot.insert(department=department.id, kind=kind, url=url, secret=secret, active=True,
                           updated_at=utcnow()).on_conflict(
        conflict_target=[DepartmentRobot.department],
        update={DepartmentRobot.kind: kind, DepartmentRobot.url: url, DepartmentRobot.secret: secret,
                DepartmentRobot.active: True, DepartmentRobot.updated_at: utcnow()}).execute()
    return DepartmentRobot.get(DepartmentRobot.department == department.id)
