"""The digest's follow-through section: the instructions of the week and whether each was acknowledged."""

import datetime

from flask_babel import gettext as _

from ..items.followthrough import Instruction
from ..items.models import Item, ItemEvent
from ..petitions.queries import local_midnight_utc

ROWS = 10


def instructions(leader, start, end, today):
    """The leader's instructions given in the week, with their acknowledgement; None when there were none."""
    query = (Instruction.select(Instruction, ItemEvent, Item)
             .join(ItemEvent, on=(Instruction.event == ItemEvent.id))
             .join_from(Instruction, Item, on=(Instruction.item == Item.id))
             .where(ItemEvent.actor == leader.id,
                    ItemEvent.created_at >= local_midnight_utc(start),
                    ItemEvent.created_at < local_midnight_utc(end + datetime.timedelta(days=1))))
    total = query.count()
    if not total:
        return None
    rows = []
    for row in query.order_by(ItemEvent.id).limit(ROWS):
        if row.acknowledged_at is not None:
            status = _("acknowledged late") if row.acknowledged_late else _("acknowledged")
        elif row.due < today:
            status = _("not acknowledged, was due %(date)s", date=row.due)
        else:
            status = _("waiting, due %(date)s", date=row.due)
        rows.append({"number": row.item.number, "title": f"{row.item.title} — {status}", "overdue":
                     row.acknowledged_at is None and row.due < today})
    return {"total": total, "rows": rows}
