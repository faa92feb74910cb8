"""The write transaction every change of an item runs in."""

import contextlib

from ..changes import bump
from ..db import database, is_postgres


@contextlib.contextmanager
def write_transaction():
    """A transaction for a change: on SQLite it takes the write lock at BEGIN, so concurrent
    writers wait for each other (busy_timeout) instead of failing half-way with "database is locked".
    It ends by counting the change (changes.bump), so cached boards are computed afresh."""
    with database.atomic() if is_postgres() else database.atomic(lock_type="IMMEDIATE"):
        yield
        bump()
