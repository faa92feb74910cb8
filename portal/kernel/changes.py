"""Counters of changes, so that what pages show can be cached and never shown stale.

``boards`` counts changes to what boards show: every transaction that changes items
(``write_transaction``, which every feature writes in), follows, delegations or the
holiday calendar bumps it in the same transaction. A user's own counters (``user_counter``) count what
only concerns them: their notifications, their feed cursor, their reading. A cached value is keyed by
the counters it was computed at (``memo``), so the first request after a committed change computes it
afresh. A write that goes around these (a hand-made SQL fix) must call ``bump()`` too, or boards show
the old state until the next change or the next day.

A request reads the ``boards`` counter and the signed-in user's own counters once, along with the
user's session (``auth.sessions.load``), or in one query of their own (``current``); a bump in the
request forgets them, so a read after one's own change sees it.
"""

import contextlib
import weakref

import peewee
from flask import g, has_request_context

from .db import BaseModel, database, is_postgres

BOARDS = "boards"
# A user's own counters: "<kind>:<user id>".
NOTIFICATIONS, FEED, READING = "notifications", "feed", "reading"
MEMO_SIZE = 2000  # entries per process and database (a board page 10–30 kB); emptied when full
_memo = weakref.WeakKeyDictionary()  # database -> (boards counter, {key: value}): a test's database takes its own


class ChangeCounter(BaseModel):
    name = peewee.CharField(max_length=32, primary_key=True)
    value = peewee.BigIntegerField(default=0)


@contextlib.contextmanager
def write_transaction():
    """A transaction for a change: on SQLite it takes the write lock at BEGIN, so concurrent
    writers wait for each other (busy_timeout) instead of failing half-way with "database is locked".
    It ends by counting the change (changes.bump), so cached boards are computed afresh."""
    with database.atomic() if is_postgres() else database.atomic(lock_type="IMMEDIATE"):
        yield
        if database.transaction_depth() == 1:  # once, at the end of the outermost: the counter row stays
            bump()                             # locked only from there to the commit


def user_counter(kind, user_id):
    return f"{kind}:{user_id}"


def viewer(user):
    """What a cached view depends on of its user: who they are, and the roles and department that decide what
    they may see (a change of either ends their sessions, but a cached value must not outlive it either)."""
    return (user.id, frozenset(user.roles), user.department_id)


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
    from flask_login import current_user

    signed_in = current_user and current_user.is_authenticated  # (loading the user reads the counters too)
    counters = g.get("change_counters")
    if counters is None or name not in counters:
        names = {name, *(request_counters(current_user.id) if signed_in else [BOARDS])}
        counters = g.change_counters = _read(names)
    return counters[name]


def request_counters(user_id):
    """The counters a signed-in user's request reads: the boards' and the user's own."""
    return [BOARDS, *(user_counter(kind, user_id) for kind in (NOTIFICATIONS, FEED, READING))]


def counter_columns(user_id):
    """Subqueries giving each of ``request_counters``' values (or NULL), to ride along another query (the
    session's); ``user_id`` an SQL expression."""
    def named(name):
        return ChangeCounter.select(ChangeCounter.value).where(ChangeCounter.name == name)

    own = [named(peewee.Value(f"{kind}:").concat(user_id)) for kind in (NOTIFICATIONS, FEED, READING)]
    return [column.alias(f"counter_{i}") for i, column in enumerate([named(BOARDS), *own])]


def remember(names, row):
    """Keep for this request the counters ``counter_columns(names)`` read along ``row``."""
    if has_request_context():
        g.change_counters = {name: getattr(row, f"counter_{i}") or 0 for i, name in enumerate(names)}


def _read(names):
    found = dict(ChangeCounter.select(ChangeCounter.name, ChangeCounter.value)
                 .where(ChangeCounter.name.in_(sorted(names))).tuples())
    return {name: found.get(name, 0) for name in names}


def memo(key, make):
    """``make()``, kept in this process under ``key`` (for this database), which must hold every counter
    and everything else the value depends on.

    What is kept belongs to one value of the boards' counter: a request that sees another value drops it
    all. Nearly every value depends on that counter, and one of an older count is never asked for again:
    kept until the cache filled, they took each web worker ~40 MB more in `make load`. (Other values are
    computed again after a change of items, which computes boards afresh anyway.)
    """
    generation = current() if has_request_context() else None
    kept_generation, kept = _memo.get(database.obj, (None, None))
    if kept is None or len(kept) >= MEMO_SIZE or generation not in (None, kept_generation):
        kept = {}
        _memo[database.obj] = (generation, kept)
    found = kept.get(key)
    if found is None:
        found = kept[key] = make()
    return found


def forget():
    """Drop everything this process keeps (for tests that count what an uncached request costs)."""
    _memo.clear()


def create_table():
    database.create_tables([ChangeCounter])
