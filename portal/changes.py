"""Counters of changes, so that what pages show can be cached and never shown stale.

``boards`` counts changes to what boards show: every transaction that changes items
(``items.transaction.write_transaction``, also used by the knowledge base), follows, delegations or the
holiday calendar bumps it in the same transaction. A user's own counters (``user_counter``) count what
only concerns them: their notifications, their feed cursor, their reading. A cached value is keyed by
the counters it was computed at (``memo``), so the first request after a committed change computes it
afresh. A write that goes around these (a hand-made SQL fix) must call ``bump()`` too, or boards show
the old state until the next change or the next day.

A request reads the ``boards`` counter and the signed-in user's own counters in one query, once
(``current``); a bump in the request forgets them, so a read after one's own change sees it.
"""

import peewee
from flask import g, has_request_context

from .db import BaseModel, database

BOARDS = "boards"
# A user's own counters: "<kind>:<user id>".
NOTIFICATIONS, FEED, READING = "notifications", "feed", "reading"
MEMO_SIZE = 5000  # entries per process; emptied when full (each is recomputed in milliseconds)
_memo = {}


class ChangeCounter(BaseModel):
    name = peewee.CharField(max_length=32, primary_key=True)
    value = peewee.BigIntegerField(default=0)


def user_counter(kind, user_id):
    return f"{kind}:{user_id}"


def bump(name=BOARDS):
    """Count one change (inside the caller's transaction, if any)."""
    if not ChangeCounter.update(value=ChangeCounter.value + 1).where(ChangeCounter.name == name).execute():
        ChangeCounter.insert(name=name, value=1).on_conflict(
            conflict_target=[ChangeCounter.name], update={ChangeCounter.value: ChangeCounter.value + 1}).execute()
    if has_request_context():
        g.pop("change_counters", None)


def current(name=BOARDS):
    """The counter as last committed (0 before any change); in a request, read with its siblings once."""
    if not has_request_context():
        return _read([name])[name]
    counters = g.get("change_counters")
    if counters is None or name not in counters:
        from flask_login import current_user

        names = {name, BOARDS}
        if current_user and current_user.is_authenticated:
            names |= {user_counter(kind, current_user.id) for kind in (NOTIFICATIONS, FEED, READING)}
        counters = g.change_counters = _read(names)
    return counters[name]


def _read(names):
    found = dict(ChangeCounter.select(ChangeCounter.name, ChangeCounter.value)
                 .where(ChangeCounter.name.in_(sorted(names))).tuples())
    return {name: found.get(name, 0) for name in names}


def memo(key, make):
    """``make()``, kept in this process under ``key`` (with the database), which must hold every counter
    and everything else the value depends on."""
    key = (database.obj, *key)
    found = _memo.get(key)
    if found is None:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        found = _memo[key] = make()
    return found


def create_table():
    database.create_tables([ChangeCounter])
