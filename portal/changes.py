"""A counter of changes to what boards show, so they can be cached and never shown stale.

Every transaction that changes items (``items.transaction.write_transaction``), follows, delegations or
the holiday calendar bumps the counter in the same transaction; a cached board is keyed by the counter
it was computed at, so the first request after a committed change computes it afresh. A write that goes
around these (a hand-made SQL fix) must call ``bump()`` too, or boards show the old state until the next
change or the next day.
"""

import peewee

from .db import BaseModel, database

BOARDS = "boards"


class ChangeCounter(BaseModel):
    name = peewee.CharField(max_length=32, primary_key=True)
    value = peewee.BigIntegerField(default=0)


def bump(name=BOARDS):
    """Count one change (inside the caller's transaction, if any)."""
    if not ChangeCounter.update(value=ChangeCounter.value + 1).where(ChangeCounter.name == name).execute():
        ChangeCounter.insert(name=name, value=1).on_conflict(
            conflict_target=[ChangeCounter.name], update={ChangeCounter.value: ChangeCounter.value + 1}).execute()


def current(name=BOARDS):
    """The counter as last committed (0 before any change)."""
    return ChangeCounter.select(ChangeCounter.value).where(ChangeCounter.name == name).scalar() or 0


def create_table():
    database.create_tables([ChangeCounter])
