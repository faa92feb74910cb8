"""The period a statistic covers: this month, quarter or year, or ``from``/``to`` days in the URL."""

import dataclasses
import datetime

from flask_babel import gettext as _

from ..kernel.clock import local_midnight_utc, local_today, zone
from ..kernel.errors import Invalid

PERIODS = ("month", "quarter", "year")
MAX_DAYS = 366 * 5  # a longer span is a mistake in the URL, not a question


@dataclasses.dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end`` (both included, local dates) and what the URL called it."""

    start: datetime.date
    end: datetime.date
    kind: str = "custom"  # month, quarter, year or custom

    @property
    def ends_today_or_later(self):
        """True when the period has not ended: its open overdue items are counted as of now."""
        return self.end >= local_today()

    @property
    def as_of(self):
        """The day whose end the open-overdue figure describes: the period's last day, or today."""
        return min(self.end, local_today())

    def utc_bounds(self):
        """The period as naive UTC datetimes [start, end) as timestamps are stored."""
        return local_midnight_utc(self.start), local_midnight_utc(self.end + datetime.timedelta(days=1))

    def args(self):
        """The URL arguments that name this period again."""
        if self.kind in PERIODS:
            return {"period": self.kind}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def utc_offset_minutes(day=None):
    """The portal time zone's offset from UTC in minutes on ``day`` (today by default)."""
    day = day or local_today()
    moment = datetime.datetime.combine(day, datetime.time(12), zone())
    return int(moment.utcoffset().total_seconds() // 60)


def current(kind, today=None):
    """This month, quarter or year (to its last day) as a Period."""
    today = today or local_today()
    if kind == "year":
        return Period(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31), kind)
    first_month = today.month if kind == "month" else 3 * ((today.month - 1) // 3) + 1
    start = datetime.date(today.year, first_month, 1)
    return Period(start, month_end(today.year, first_month + (0 if kind == "month" else 2)), kind)


def month_end(year, month):
    """The last day of ``month`` of ``year``."""
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _day(args, name, errors):
    raw = (args.get(name) or "").strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date like 2026-03-31.")
        return None


def from_args(args, default="quarter"):
    """The Period the request names (``period``, else ``from``/``to``, else this quarter); 422 for a bad one."""
    if not args.get("period") and (args.get("from") or args.get("to")):
        errors = {}
        start, end = _day(args, "from", errors), _day(args, "to", errors)
        if start and end and start > end:
            errors["to"] = _("The end must not be before the start.")
        elif start and end and (end - start).days > MAX_DAYS:
            errors["to"] = _("A period may span at most five years.")
        if errors:
            raise Invalid(_("The period is not valid."), fields=errors)
        return Period(start, end)
    kind = args.get("period") or default
    if kind not in PERIODS:
        message = _("Choose this month, this quarter or this year.")
        raise Invalid(message, fields={"period": message})
    return current(kind)


def last_months(end_day, count=12):
    """The ``count`` months ending with the month of ``end_day``, oldest first, as (year, month)."""
    year, month = end_day.year, end_day.month
    months = []
    for _index in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
