"""The digest's follow-through section: the instructions of the week and whether each was acknowledged."""

import datetime

from flask_babel import gettext as _

from ..items.followthrough import Instruction
from ..items.models import Item, ItemEvent
from ..kernel.clock import local_midnight_utc

ROWS = 10


def instructions(leaders, start, end, today):
    """{leader id: section} of the instructions each leader gave in the week, with their acknowledgement, in one
    query for all leaders (a week's instructions are few); no entry for a leader who gave none."""
    query = (Instruction.select(Instruction, ItemEvent, Item)
             .join(ItemEvent, on=(Instruction.event == ItemEvent.id))
             .join_from(Instruction, Item, on=(Instruction.item == Item.id))
             .where(ItemEvent.actor.in_([leader.id for leader in leaders]),
                    ItemEvent.created_at >= local_midnight_utc(start),
                    ItemEvent.created_at < local_midnight_utc(end + datetime.timedelta(days=1)))
             .order_by(ItemEvent.id))
    sections = {}
    for row in query:
        section = sections.setdefault(row.event.actor_id, {"total": 0, "rows": []})
        section["total"] += 1
        if len(section["rows"]) < ROWS:
            section["rows"].append(_row(row, today))
    return sections


def _row(row, today):
    if row.acknowledged_at is not None:
        status = _("acknowledged late") if row.acknowledged_late else _("acknowledged")
    elif row.due < today:
        status = _("not acknowledged, was due %(date)s", date=row.due)
    else:
        status = _("waiting, due %(date)s", date=row.due)
    return {"number": row.item.number, "title": f"{row.item.title} — {status}", "overdue":
            row.acknowledged_at is None and row.due < today}
