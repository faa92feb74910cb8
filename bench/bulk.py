"""Bulk writes of the benchmark's generated data (bench/__main__.py's items, bench/kb.py's articles)."""

from portal.kernel.db import database, is_postgres

BATCH = 5000


def flush(model, rows):
    """Insert ``rows`` (dicts) into ``model`` in batches, then empty the list."""
    if not rows:
        return
    # PostgreSQL takes at most 65,535 parameters in one statement.
    batch = min(BATCH, 60_000 // len(model._meta.fields))  # every field is a parameter (defaults too)
    for i in range(0, len(rows), batch):
        model.insert_many(rows[i:i + batch]).execute()
    rows.clear()


def settle(tables):
    """After rows inserted with their ids: PostgreSQL's sequences of ``tables`` past them; then what
    autovacuum does for a real database (statistics, and the visibility map)."""
    if is_postgres():
        for table in tables:
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
    database.execute_sql("VACUUM ANALYZE" if is_postgres() else "ANALYZE")
