"""Writing the outbox, the one way every feature queues a notification: inside the transaction of what
it announces, so both commit together or not at all.

In a request, the rows are relayed once the response is sent (``portal.notify.relay_after_request``);
a job's are relayed by the job (``remind``, ``digest``) or the next relay.
"""

from flask import g, has_app_context

from ..items.recipients import for_action
from .messages import informs_only
from .models import Outbox

BATCH = 500  # rows per INSERT


def write(rows, skip_existing=False):
    """Insert outbox rows (dicts of Outbox fields), a statement per BATCH; with ``skip_existing`` rows
    whose ``dedupe_key`` exists are left out. Returns how many were written."""
    written = 0
    for first in range(0, len(rows), BATCH):
        query = Outbox.insert_many(rows[first:first + BATCH])
        written += (query.on_conflict_ignore() if skip_existing else query).as_rowcount().execute()
    _written(written)
    return written


def write_selected(query, fields):
    """INSERT … SELECT: one row per row of ``query`` into ``fields``, those whose dedupe_key exists left
    out (the reminder scan chooses its rows in SQL). Returns how many were written."""
    written = Outbox.insert_from(query, fields).on_conflict_ignore().as_rowcount().execute()
    _written(written)
    return written


def _written(count):
    if count and has_app_context():
        g.notify_outbox_written = True


def record(event, recipients, kind=None, data=None):
    """Queue one notification per distinct recipient id for ``event`` (an ItemEvent); the actor is not
    notified of their own action."""
    ids = {int(getattr(r, "id", r)) for r in recipients if r is not None}
    ids.discard(event.actor_id)
    return write([{"kind": kind or event.action, "recipient": user_id, "item": event.item_id, "event": event.id,
                   "data": data or {}} for user_id in sorted(ids)])


def item_action(item, action, event, decision):
    """The notices of an item action (hooks.item_actions): its recipient groups and the item's followers;
    none for what only informs (messages.FEED_ONLY: the feed shows it)."""
    if informs_only(action.name):
        return 0
    return record(event, for_action(item, action, decision),
                  data={"number": item.number, "title": item.title, "from_state": event.from_state,
                        "to_state": event.to_state, "decision": decision})
