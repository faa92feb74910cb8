"""Reminding enrolled users the working day before a training, through the notification outbox.

Run by the daily reminder scan (``flask --app wsgi remind`` and the worker's
schedule). One outbox row per training and person (``dedupe_key``), so a scan
run twice, or on two working days before a long weekend, never reminds twice.
"""

import datetime

from ..calendar import add_working_days
from ..kernel.db import utcnow
from ..notify import outbox
from .models import Enrolment, Training

KIND = "training_reminder"


def remind_enrolled(today):
    """Queue a reminder for everyone enrolled in a training that starts after ``today`` and no later than
    the next working day; return how many rows are new."""
    next_workday = add_working_days(today, 1)
    start = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    end = datetime.datetime.combine(next_workday + datetime.timedelta(days=1), datetime.time())
    rows = [{"kind": KIND, "recipient": user_id, "item": None, "event": None,
             "data": {"training": training_id, "title": title, "place": place, "starts_at": starts_at.isoformat()},
             "dedupe_key": f"{KIND}:{training_id}:{user_id}", "status": "pending", "created_at": utcnow()}
            for user_id, training_id, title, starts_at, place in
            Enrolment.select(Enrolment.user, Training.id, Training.title, Training.starts_at, Training.place)
            .join(Training).where(Training.starts_at >= start, Training.starts_at < end).tuples()]
    return outbox.write(rows, skip_existing=True)
