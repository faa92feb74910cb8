"""The clock: the portal's time zone (``app.timezone``), today and now there, and the date horizon.

Times are stored as naive UTC (``db.utcnow``); days are the portal's local days. Every feature asks
here, so "today" means the same thing on a page, in the API and in a job.

What people read (pages, exports, messages) is local and in one format: ``shown_datetime`` gives
``2026-12-08 00:30``, ``shown_date`` ``2026-12-08`` (the templates' filters ``localtime`` and
``localdate``). The API keeps ISO 8601 UTC (docs/interfaces.md).
"""

import datetime
import zoneinfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
# Dates typed in (deadlines, extensions) lie at most this far ahead: a typo such as 2206 for 2026
# is caught, and no date can make a page count working days to the year 9999.
HORIZON_YEARS = 10


def zone():
    """The portal's time zone (outside an app: Asia/Shanghai)."""
    name = current_app.config["PORTAL"]["app"]["timezone"] if has_app_context() else DEFAULT_ZONE
    return zoneinfo.ZoneInfo(name)


def local_today():
    """Today's date in the portal's time zone."""
    return datetime.datetime.now(zone()).date()


def local_now():
    """Now as a naive wall-clock time in the portal's time zone, to the second (how training times are kept)."""
    return datetime.datetime.now(zone()).replace(tzinfo=None, microsecond=0)


def local_midnight_utc(day):
    """The stored (naive UTC) time at which ``day`` begins in the portal's time zone."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone())
    return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def local_day(stamp):
    """The portal's local day of a stored (naive UTC) time."""
    return stamp.replace(tzinfo=datetime.timezone.utc).astimezone(zone()).date()


DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def _local(moment, wall):
    """``moment`` (a naive UTC stamp, a naive local wall-clock time when ``wall``, or an aware one) in the
    portal's zone, naive."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None and not wall:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(zone()).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _shown_day(moment):
    """The ISO day of a date (or of a date's text), "" for nothing, None for a time."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        return moment.isoformat()
    if isinstance(moment, str) and len(moment) == 10:
        return datetime.date.fromisoformat(moment).isoformat()
    return None


def shown_datetime(moment, wall=False):
    """A time as people read it: local, ``2026-12-08 00:30``; a date stays a date (``2026-12-08``, no
    invented hour); "" for None. ``wall``: the value is already a local wall-clock time (trainings)."""
    day = _shown_day(moment)
    return _local(moment, wall).strftime(DATETIME_FORMAT) if day is None else day


def shown_date(moment, wall=False):
    """A day as people read it: ``2026-12-08``, the local day of a stored time; "" for None."""
    day = _shown_day(moment)
    return _local(moment, wall).date().isoformat() if day is None else day


def latest_allowed_date(today=None):
    """The last date a person may enter (a deadline, an extension): HORIZON_YEARS after ``today``."""
    today = today or local_today()
    if today.month == 2 and today.day == 29:
        today = today.replace(day=28)  # ten years after 29 February is 28 February
    return today.replace(year=min(today.year + HORIZON_YEARS, datetime.MAXYEAR))
