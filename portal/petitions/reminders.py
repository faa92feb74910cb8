"""Overdue replies remind like items (docs/front-line.md): once a working day per petition and recipient."""

import logging

from ..calendar import is_workday
from ..kernel.clock import local_today
from ..kernel.db import utcnow
from ..notify import outbox
from .labels import notice_title
from .models import Petition
from .queries import overdue_condition
from .recipients import for_overdue_replies

log = logging.getLogger(__name__)
KIND = "petition_reply_overdue"


def scan(today=None):
    """Write today's overdue-reply reminders to the outbox; return how many were new (none on a holiday)."""
    today = today or local_today()
    if not is_workday(today):
        return 0
    rows = []
    petitions = list(Petition.select().where(overdue_condition(today)).order_by(Petition.id))
    recipients = for_overdue_replies(petitions)
    for petition in petitions:
        data = {"petition": petition.number, "title": notice_title(petition), "text": ""}
        for person in sorted(set(recipients[petition.id]) - {None}):
            rows.append({"kind": KIND, "recipient": person, "item": None, "event": None, "data": data,
                         "dedupe_key": f"{KIND}:{petition.id}:{today}:{person}", "created_at": utcnow()})
    new = outbox.write(rows, skip_existing=True)
    log.info("petition reminders for %s: %s", today, new)
    return new
