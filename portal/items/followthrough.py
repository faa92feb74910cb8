"""批示落实 (docs/front-line.md): every leader's instruction waits for its acknowledgement.

An ``instruct`` event opens an Instruction row due ``workflow.acknowledge_within_working_days``
working days later; the ``acknowledge`` action (workflow.TABLE) closes it in the same
transaction. The row makes the overdue ones a plain SQL condition for the item page, the
boards and the reminder scan; which instructions an acknowledgement may answer is the
table's generic rule (``workflow.open_events``), and both are written together.
"""

import peewee
from flask import current_app

from ..calendar import add_working_days
from ..kernel.clock import local_today
from ..kernel.db import BaseModel
from .models import OPEN_STATES, Item, ItemEvent, is_open


class Instruction(BaseModel):
    item = peewee.ForeignKeyField(Item, backref="instructions", on_delete="RESTRICT")
    event = peewee.ForeignKeyField(ItemEvent, unique=True, backref="+", on_delete="RESTRICT")
    due = peewee.DateField()
    acknowledgement = peewee.ForeignKeyField(ItemEvent, null=True, backref="+", on_delete="RESTRICT")
    acknowledged_at = peewee.DateTimeField(null=True)
    acknowledged_late = peewee.BooleanField(default=False)

    class Meta:
        table_name = "item_instruction"
        indexes = ((("item", "acknowledged_at"), False), (("acknowledged_at", "due"), False))


MODELS = [Instruction]


def acknowledge_due(today):
    """The last working day on which an instruction given ``today`` is acknowledged in time."""
    days = current_app.config["PORTAL"]["workflow"]["acknowledge_within_working_days"]
    return add_working_days(today, days)


def opened(event, today):
    """Record the instruction ``event`` (inside its action's transaction)."""
    Instruction.create(item=event.item_id, event=event.id, due=acknowledge_due(today))


def answered(instruction_event_id, event, today):
    """Mark the instruction answered by ``event``; False when another acknowledgement came first."""
    row = Instruction.get_or_none(Instruction.event == instruction_event_id)
    if row is None:  # an instruction older than this table: nothing to flag
        return True
    return (Instruction.update(acknowledgement=event.id, acknowledged_at=event.created_at,
                               acknowledged_late=today > row.due)
            .where(Instruction.id == row.id, Instruction.acknowledged_at.is_null()).execute()) == 1


def overdue_condition(today=None):
    """SQL on Item: an open item with an instruction not acknowledged by its due day."""
    today = today or local_today()
    late = Instruction.select(Instruction.item).where(Instruction.acknowledged_at.is_null(), Instruction.due < today)
    return is_open() & Item.id.in_(late)


def waiting_condition():
    """SQL on Item: an open item with an instruction not acknowledged yet (overdue or not)."""
    waiting = Instruction.select(Instruction.item).where(Instruction.acknowledged_at.is_null())
    return is_open() & Item.id.in_(waiting)


def of_item(item, events, today=None):
    """Each instruction of ``item`` beside its acknowledgement, oldest first: dicts with ``event``,
    ``acknowledgement`` (an event or None), ``due`` and ``overdue`` (from ``events``, the timeline)."""
    today = today or local_today()
    dues = {row.event_id: row.due for row in Instruction.select().where(Instruction.item == item.id)}
    answers = {(e.data or {}).get("instruction"): e for e in events if e.action == "acknowledge"}
    rows = []
    for event in events:
        if event.action != "instruct":
            continue
        answer, due = answers.get(event.id), dues.get(event.id)
        rows.append({"event": event, "acknowledgement": answer, "due": due,
                     "overdue": answer is None and due is not None and due < today
                     and item.state in OPEN_STATES,
                     "late": answer is not None and due is not None and bool((answer.data or {}).get("late"))})
    return rows
