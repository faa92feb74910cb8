"""SQL fragments that differ between SQLite and PostgreSQL, written once for the statistics.

Every figure is computed by the database; these helpers give the local day of a
stored UTC timestamp, day numbers, months and the weekend test in each dialect.
"""

from ..kernel.db import database, is_postgres

# A progress report made after it was due, as actions.py records it in the event's data. Written as
# literals (not parameters) so that the index of migration 5 matches it: on SQLite an index on the
# expression, on PostgreSQL a partial index (it reads ``x = TRUE`` as ``x``).
LATE_PATTERN = '%"late": true%'
LATE_REPORT_LITERAL = f"e.action = 'report' AND (e.data LIKE '{LATE_PATTERN}') = TRUE"


def late_report_index_sql():
    """The statement creating the index that finds late progress reports in a period."""
    if is_postgres():
        pattern = LATE_PATTERN.replace("%", "%%")  # psycopg reads a lone % as a placeholder
        return ("CREATE INDEX IF NOT EXISTS item_event_late_report ON item_event (created_at, item_id) "
                f"WHERE action = 'report' AND data LIKE '{pattern}'")
    return ("CREATE INDEX IF NOT EXISTS item_event_late_report ON item_event "
            f"(action, (data LIKE '{LATE_PATTERN}'), created_at)")


class _LateReport:
    """LATE_REPORT_LITERAL as the current database wants it in a query with parameters."""

    def __format__(self, spec):
        return LATE_REPORT_LITERAL.replace("%", "%%") if is_postgres() else LATE_REPORT_LITERAL


LATE_REPORT = _LateReport()


class Params:
    """Collects query parameters; ``p(value)`` returns the dialect's placeholder for it."""

    def __init__(self):
        self.values = []

    def __call__(self, value):
        self.values.append(value)
        return "%s" if is_postgres() else "?"


def local_date(column, offset_minutes):
    """The portal-local calendar day of the naive UTC timestamp ``column`` (a DATE; text on SQLite)."""
    offset = int(offset_minutes)
    if is_postgres():
        return f"CAST({column} + INTERVAL '{offset} minutes' AS DATE)"
    return f"date({column}, '{offset:+d} minutes')"


def day_number(date_sql):
    """Days since 1970-01-01 of the DATE expression ``date_sql`` (an integer)."""
    if is_postgres():
        return f"({date_sql} - DATE '1970-01-01')"
    return f"CAST(julianday({date_sql}) - 2440587.5 AS INTEGER)"


def weekdays_through(date_sql):
    """Monday-to-Friday days from a fixed Monday up to and including ``date_sql``, less a constant.

    The difference of two of these is the number of weekdays d with a < d <= b.
    1970-01-01 was a Thursday, so day number + 3 counts from Monday 1969-12-29.
    """
    t = f"({day_number(date_sql)} + 3)"
    mod = "%%" if is_postgres() else "%"  # psycopg reads a lone % as a placeholder
    return f"(5 * ({t} / 7) + CASE WHEN {t} {mod} 7 > 4 THEN 4 ELSE {t} {mod} 7 END)"


def is_weekend(date_sql):
    """True when the DATE ``date_sql`` is a Saturday or Sunday."""
    if is_postgres():
        return f"(EXTRACT(ISODOW FROM {date_sql}) >= 6)"
    return f"(strftime('%w', {date_sql}) IN ('0', '6'))"


def working_days(start_sql, end_sql):
    """Working days d with start < d <= end (DATE expressions), by the holiday calendar.

    Weekdays are counted arithmetically; the calendar's exceptions in the range
    then add a worked weekend (调休) or remove a weekday holiday (法定节假日),
    exactly as calendar.working_days_between does in Python.
    """
    correction = (
        "(SELECT COALESCE(SUM(CASE "
        f"WHEN h.workday = TRUE AND {is_weekend('h.day')} THEN 1 "
        f"WHEN h.workday = FALSE AND NOT {is_weekend('h.day')} THEN -1 ELSE 0 END), 0) "
        f"FROM holiday h WHERE h.day > {start_sql} AND h.day <= {end_sql})")
    return f"({weekdays_through(end_sql)} - {weekdays_through(start_sql)} + {correction})"


def month_key(column, offset_minutes):
    """The portal-local month ``YYYY-MM`` of the naive UTC timestamp ``column``."""
    offset = int(offset_minutes)
    if is_postgres():
        return f"to_char({column} + INTERVAL '{offset} minutes', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '{offset:+d} minutes')"


def rows(sql, params):
    """The rows of ``sql`` as tuples."""
    return list(database.execute_sql(sql, params.values).fetchall())
