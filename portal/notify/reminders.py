"""The reminder scan: deadline near, feedback due, overdue, escalation — chosen and written in SQL.

Each reminder is an outbox row whose ``dedupe_key`` names its kind, item,
day (or, for an escalation, the deadline) and recipient; the INSERT ignores
keys that exist, so a second scan on one day writes nothing new.
"""

import logging

import peewee
from flask import current_app
from peewee import Cast, Value

from ..auth.models import User
from ..calendar import add_working_days, is_workday
from ..items.followthrough import overdue_condition as instruction_overdue
from ..items.models import Item
from ..items.recipients import handler_of_lead_department
from ..kernel import hooks
from ..kernel.clock import local_today
from ..kernel.db import database, utcnow
from . import outbox
from .models import Outbox

log = logging.getLogger(__name__)

ACTIVE = ("dispatched", "in_progress")


def _text(node):
    return Cast(node, "TEXT")


def _insert(kind, stamp, recipient, condition, join_on=None):
    """INSERT … SELECT one outbox row per matching item and recipient; return how many were new.

    ``stamp`` (a day, or an SQL expression) goes into the dedupe key between item and recipient.
    """
    stamp = Value(str(stamp)) if not isinstance(stamp, peewee.Node) else _text(stamp)
    key = (Value(f"{kind}:").concat(_text(Item.id)).concat(Value(":")).concat(stamp).concat(Value(":"))
           .concat(_text(recipient)))
    query = Item.select(Value(kind), recipient, Item.id, Value("{}"), key, Value("pending"), Value(0),
                        Value(""), Value(utcnow()))
    if join_on is not None:
        query = query.join(User, on=join_on)
    query = query.where(condition)
    return outbox.write_selected(query, [Outbox.kind, Outbox.recipient, Outbox.item, Outbox.data, Outbox.dedupe_key,
                                         Outbox.status, Outbox.attempts, Outbox.last_error, Outbox.created_at])


def scan(today=None):
    """Write today's reminders to the outbox; return {kind: new rows}. Nothing is sent on a non-working day."""
    today = today or local_today()
    if not is_workday(today):
        log.info("reminders: %s is not a working day, nothing to send", today)
        return {}
    settings = current_app.config["PORTAL"]["reminders"]
    warn_until = add_working_days(today, settings["warn_working_days"])
    escalate_from = add_working_days(today, -settings["escalate_after_days"])
    active = Item.state.in_(ACTIVE)
    handler, handler_join = handler_of_lead_department()
    with database.atomic():  # one transaction for the item reminders
        counts = {
            "reminder_deadline": _insert("reminder_deadline", today, handler,
                                         active & Item.deadline.between(today, warn_until), handler_join),
            "reminder_feedback": _insert("reminder_feedback", today, handler,
                                         (Item.state == "in_progress") & Item.next_feedback_due.is_null(False)
                                         & (Item.next_feedback_due <= today), handler_join),
            "reminder_overdue": _insert("reminder_overdue", today, handler, active & (Item.deadline < today),
                                        handler_join),
        }
        counts["reminder_overdue"] += _insert("reminder_overdue", today, Item.supervisor,
                                              active & (Item.deadline < today) & Item.supervisor.is_null(False))
        # 批示落实: an instruction not acknowledged by its due day reminds the lead department daily.
        counts["reminder_acknowledge"] = _insert("reminder_acknowledge", today, handler, instruction_overdue(today),
                                                 handler_join)
        # Escalation reaches the leader once per deadline, not every day (a new deadline may escalate again).
        counts["reminder_escalation"] = _insert(
            "reminder_escalation", Item.deadline, Item.leader,
            active & (Item.deadline < today) & (Item.deadline <= escalate_from) & Item.leader.is_null(False))
    counts.update(hooks.reminder_scans.call(today))
    log.info("reminders for %s: %s", today, counts)
    return counts

