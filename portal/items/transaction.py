"""The write transaction every change of an item runs in."""

import contextlib

from ..kernel.changes import bump
from ..kernel.db import database, is_postgres


@contextlib.contextmanager
def write_transaction():
    """A transaction for a change: on SQLite it takes the write lock at BEGIN, so concurrent
    writers wait for each other (busy_timeout) instead of failing half-way with "database is locked".
    It ends by counting the change (changes.bump), so cached boards are computed afresh."""
    with database.atomic() if is_postgres() else database.atomic(lock_type="IMMEDIATE"):
        yield
        if database.transaction_depth() == 1:  # once, at the end of the outermost: the counter row stays
            bump()                             # locked only from there to the commit
