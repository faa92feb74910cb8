"""Delivering one outbox row on its channels, each channel at most once, and the relay that feeds the jobs.

A row goes pending -> queued (relay) -> sending (a job's lease) -> delivered,
or back to queued for a retry, or failed after ``notify.max_attempts``, or
withheld when its recipient may no longer see the item at delivery time. A job
killed mid-way leaves its lease to expire; the relay then hands the row out
again and channels already recorded as sent are skipped.
"""

import datetime
import logging

from flask import current_app

from ..auth.models import User
from ..items.models import Item
from ..items.visibility import visible_items
from ..kernel import changes, hooks, jobs
from ..kernel.db import database, utcnow
from . import channels, messages
from .models import ALL_KINDS, Delivery, DepartmentRobot, EmailPreference, Notification, Outbox

log = logging.getLogger(__name__)

RELAY_BATCH = 500
FAILED_JOB_TTL = 7 * 24 * 3600  # RQ's own record of a failed job; the outbox row keeps the story


class DeliveryFailed(Exception):
    """A channel failed: the row waits for a retry, or is marked failed after its last attempt."""


def _settings():
    return current_app.config["PORTAL"]["notify"]


def _seconds(n):
    return datetime.timedelta(seconds=n)


def backoff_intervals():
    """Seconds to wait before each retry: the configured base, four times longer each time (at most 6 h)."""
    settings = _settings()
    base = settings["retry_backoff_seconds"]
    return [min(base * 4 ** i, 6 * 3600) for i in range(max(settings["max_attempts"] - 1, 1))]


def _claimable(now):
    return (Outbox.status == "pending") | (
        Outbox.status.in_(("queued", "sending")) & (Outbox.lease_until < now))


def claim_batch(limit=RELAY_BATCH):
    """Mark up to ``limit`` pending (or abandoned) rows queued in one UPDATE; return the ids this call took.

    Two relays never take the same row: the UPDATE re-checks the status of every row it changes.
    """
    now = utcnow()
    candidates = Outbox.select(Outbox.id).where(_claimable(now)).order_by(Outbox.id).limit(limit)
    query = (Outbox.update(status="queued", lease_until=now + _seconds(_settings()["lease_seconds"]))
             .where(Outbox.id.in_(candidates), _claimable(now))
             .returning(Outbox.id))
    return sorted(row.id for row in query.execute())


def relay(max_rows=None):
    """Hand pending or abandoned rows (all, or up to ``max_rows``) to RQ, or deliver them now without Redis.

    Returns how many were handed on. When Redis cannot be reached the rows go
    back to pending: nothing is lost.
    """
    total = 0
    while max_rows is None or total < max_rows:
        ids = claim_batch(RELAY_BATCH if max_rows is None else min(RELAY_BATCH, max_rows - total))
        if not ids:
            return total
        if not _enqueue(ids):
            return total
        total += len(ids)
        if len(ids) < RELAY_BATCH:
            return total
    return total


def _enqueue(ids):
    """Hand the claimed rows to the queue (or, without Redis, deliver them now); False when Redis is down."""
    from rq import Retry

    settings = _settings()
    try:
        jobs.enqueue_many("notify.deliver", [(outbox_id,) for outbox_id in ids],
                          retry=Retry(max=settings["max_attempts"] - 1 or 1, interval=backoff_intervals()),
                          job_timeout=max(int(settings["lease_seconds"] * 0.8), 1))
    except jobs.QueueUnavailable as exc:
        Outbox.update(status="pending", lease_until=None).where(
            Outbox.id.in_(ids), Outbox.status == "queued").execute()
        log.warning("notify: Redis unavailable, %d notifications stay pending: %s", len(ids), exc)
        return False
    return True


def deliver_logged(outbox_id):
    """``deliver()`` for inline mode: a failure is logged and left for the next relay, never raised."""
    try:
        return deliver(outbox_id)
    except DeliveryFailed as exc:
        log.warning("notify: notification %s not delivered yet: %s", outbox_id, exc)
        return False


def _claim(outbox_id):
    now = utcnow()
    return (Outbox.update(status="sending", lease_until=now + _seconds(_settings()["lease_seconds"]),
                          attempts=Outbox.attempts + 1)
            .where(Outbox.id == outbox_id,
                   Outbox.status.in_(("pending", "queued"))
                   | ((Outbox.status == "sending") & (Outbox.lease_until < now)))
            .execute()) == 1


def deliver(outbox_id):
    """Deliver row ``outbox_id`` on every channel not yet sent; True when this call completed it.

    Returns False when the row is done or another job holds it. Raises
    DeliveryFailed when a channel failed (the row is then queued for a retry,
    or failed after the last attempt).
    """
    if not _claim(outbox_id):
        return False
    row = Outbox.select(Outbox, User).join(User).where(Outbox.id == outbox_id).get()
    settings = _settings()
    mine = (Outbox.id == outbox_id) & (Outbox.status == "sending")
    if row.attempts > settings["max_attempts"]:
        # Earlier attempts never finished (the job crashed or its worker died each time).
        Outbox.update(status="failed", lease_until=None,
                      last_error=row.last_error or "delivery was interrupted on every attempt").where(mine).execute()
        return False
    if not may_receive(row):
        # Access was lost since the event (a role revoked, a department changed, deactivated):
        # nothing about the item reaches this person on any channel.
        Outbox.update(status="withheld", lease_until=None, delivered_at=utcnow(),
                      last_error="the recipient may no longer see the item").where(mine).execute()
        return True
    message = messages.compose(row)
    _in_app(row, message)
    errors = []
    for channel in (_robot, _email):
        try:
            channel(row, message)
        except channels.ChannelError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a fault of one channel never keeps the message from the others
            log.exception("notify: %s failed for outbox row %s", channel.__name__.strip("_"), row.id)
            errors.append(f"{channel.__name__.strip('_')}: {exc.__class__.__name__}: {exc}")
    now = utcnow()
    if not errors:
        Outbox.update(status="delivered", delivered_at=now, last_error="", lease_until=None).where(mine).execute()
        return True
    error = "; ".join(errors)
    if row.attempts >= settings["max_attempts"]:
        Outbox.update(status="failed", last_error=error, lease_until=None).where(mine).execute()
    else:
        wait = backoff_intervals()[min(row.attempts - 1, len(backoff_intervals()) - 1)]
        Outbox.update(status="queued", last_error=error,
                      lease_until=now + _seconds(wait + settings["lease_seconds"])).where(mine).execute()
    raise DeliveryFailed(error)


def may_receive(row):
    """True when the recipient of outbox ``row`` is active and may see its item (when there is one) now, at
    delivery time, and what else it is about where its kind says (hooks.notification_kinds).

    Uses the named visibility query, one EXISTS (after the user's roles), whatever the item.
    """
    user = row.recipient
    if not user.active:
        return False
    kind = hooks.notification_kinds.get(row.kind)
    if kind is not None and kind.may_receive is not None and not kind.may_receive(user, row):
        return False
    if row.item_id is None:
        return True
    return visible_items(user).where(Item.id == row.item_id).exists()


def _in_app(row, message):
    data = row.data or {}
    # Not about one item (a petition, a digest): the row's data carries its title and its text.
    title = f"{row.item.number} {row.item.title}" if row.item_id else data.get("title") or message["label"]
    body = row.event.comment if row.event_id else data.get("text", "")  # e.g. a digest's summary
    with database.atomic():
        if Notification.insert(user=row.recipient_id, outbox=row.id, item=row.item_id, kind=row.kind, title=title[:255],
                               body=body, created_at=utcnow()).on_conflict_ignore().as_rowcount().execute():
            changes.bump(changes.user_counter(changes.NOTIFICATIONS, row.recipient_id))  # the badge counts afresh


def wants_email(user_id, kind):
    """False when the user turned e-mail off, as a whole or for ``kind`` (in-app is always on)."""
    return not EmailPreference.select().where(EmailPreference.user == user_id,
                                              EmailPreference.kind.in_([kind, ALL_KINDS]),
                                              EmailPreference.email == False).exists()  # noqa: E712


def _email(row, message):
    user = row.recipient
    if not (channels.email_enabled() and user.email and wants_email(user.id, row.kind)):
        return
    delivery = _take(f"email:{row.id}", row, "email", user.email)
    if delivery is not None:
        _attempt(delivery, channels.send_email, user.email, user.display_name, message, str(row.id))


def _robot(row, message):
    department_id = row.recipient.department_id
    robot = department_id and DepartmentRobot.get_or_none(DepartmentRobot.department == department_id,
                                                          DepartmentRobot.active)
    if not robot:
        return
    # One robot message per event (or reminder) and department, however many members are notified.
    if row.event_id:
        group = f"event{row.event_id}"
    elif row.dedupe_key:
        group = row.dedupe_key.rsplit(":", 1)[0]
    else:
        group = f"outbox{row.id}"
    delivery = _take(f"robot:{group}:{department_id}", row, "robot", robot.url)
    if delivery is not None:
        url, payload = channels.sign_robot(robot.kind, robot.url, messages.robot_payload(robot.kind, message),
                                           robot.secret)
        _attempt(delivery, channels.send_robot, url, payload)


def _take(key, row, channel, target):
    """The delivery record this row must send now, or None when it was sent or belongs to another row."""
    Delivery.insert(key=key, outbox=row.id, channel=channel, target=target[:500], status="sending",
                    updated_at=utcnow()).on_conflict_ignore().execute()
    delivery = Delivery.get(Delivery.key == key)
    if delivery.status == "sent" or delivery.outbox_id != row.id:
        return None
    return delivery


def _attempt(delivery, send, *args):
    Delivery.update(status="sending", attempts=Delivery.attempts + 1, updated_at=utcnow()).where(
        Delivery.id == delivery.id).execute()
    try:
        send(*args)
    except channels.ChannelError as exc:
        Delivery.update(status="failed", error=str(exc), updated_at=utcnow()).where(
            Delivery.id == delivery.id).execute()
        raise
    now = utcnow()
    Delivery.update(status="sent", error="", sent_at=now, updated_at=now).where(
        Delivery.id == delivery.id).execute()
