"""Writing the outbox: called inside the transaction of the event it announces."""

from flask import g, has_app_context

from .models import Outbox


def record(event, recipients, kind=None, data=None):
    """Queue one notification per distinct recipient id for ``event`` (an ItemEvent).

    Must run inside the action's transaction, so the event and its
    notifications commit together or not at all. The actor is not notified
    of their own action. In a request, the rows are relayed once the
    response is sent (see ``portal.notify.relay_after_request``).
    """
    actor_id = event.actor_id
    ids = {int(getattr(r, "id", r)) for r in recipients if r is not None}
    ids.discard(actor_id)
    rows = [{"kind": kind or event.action, "recipient": user_id, "item": event.item_id,
             "event": event.id, "data": data or {}} for user_id in sorted(ids)]
    if rows:
        Outbox.insert_many(rows).execute()
        if has_app_context():
            g.notify_outbox_written = True
    return len(rows)
