"""The write transaction every change of an item runs in."""

from ..db import database, is_postgres


def write_transaction():
    """A transaction for a change: on SQLite it takes the write lock at BEGIN, so concurrent
    writers wait for each other (busy_timeout) instead of failing half-way with "database is locked"."""
    return database.atomic() if is_postgres() else database.atomic(lock_type="IMMEDIATE")
