"""Working days from the database calendar; years nobody entered count plain weekends.

Lookups go through a per-database, per-process cache of the entered years' exceptions,
indexed so that counting working days costs the same for any two dates (no loop over days).
Edits here invalidate it at once; edits made by another process show within
CACHE_SECONDS. No date, however far out, raises: an unknown year is weekends.
"""

import bisect
import csv
import datetime
import io
import time
import weakref

from flask_babel import gettext as _

from ..kernel.changes import bump
from ..kernel.clock import local_today
from ..kernel.db import database, utcnow
from ..kernel.errors import Invalid
from ..kernel.text import BadText, clean
from .models import CalendarYear, Holiday

CACHE_SECONDS = 60
_caches = weakref.WeakKeyDictionary()  # peewee database -> {"at": monotonic, "calendar": _Calendar}

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节", "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}
TRUE_WORDS = {"1", "true", "yes", "y", "workday", "work", "是", "班", "上班", "工作日"}
FALSE_WORDS = {"0", "false", "no", "n", "holiday", "off", "否", "休", "休息", "假", "节假日"}


def invalidate():
    """Forget the cached calendar of the current database (call after any edit); boards recompute lights."""
    _caches.pop(database.obj, None)
    bump()


MAX_ORDINAL = datetime.date.max.toordinal()


class _Calendar:
    """The entered exceptions, sorted, with the running sum of how each moves a Monday-to-Friday count.

    The working days up to a day are the weekdays up to it (whole-week arithmetic) plus the running
    sum of the exceptions up to it (a binary search): no loop over days, however far apart two dates are.
    """

    def __init__(self, exceptions):
        self.exceptions = exceptions  # {day: workday}, entered years only
        self.ordinals, self.shifts = [], []
        shift = 0
        for day in sorted(exceptions):
            shift += exceptions[day] - (day.weekday() < 5)  # +1 a worked weekend, -1 a weekday off
            self.ordinals.append(day.toordinal())
            self.shifts.append(shift)

    def count(self, ordinal):
        """The working days d with 0001-01-01 <= d <= the day ``ordinal`` (0 for ordinal 0)."""
        weeks, rest = divmod(ordinal, 7)  # ordinal 1, 0001-01-01, is a Monday
        index = bisect.bisect_right(self.ordinals, ordinal)
        return 5 * weeks + min(rest, 5) + (self.shifts[index - 1] if index else 0)

    def first_reaching(self, total):
        """The day on which the count first reaches ``total``: a working day; OverflowError beyond the calendar."""
        ordinal = bisect.bisect_left(range(MAX_ORDINAL + 1), total, key=self.count)
        if not 1 <= ordinal <= MAX_ORDINAL:
            raise OverflowError("date value out of range")
        return datetime.date.fromordinal(ordinal)


def _calendar():
    """The current database's calendar, loaded in two queries and kept for CACHE_SECONDS."""
    cache = _caches.get(database.obj)
    now = time.monotonic()
    if cache is None or now - cache["at"] > CACHE_SECONDS:
        entered = {row.year for row in CalendarYear.select(CalendarYear.year)}
        # Rows of a year nobody entered do not count: that year is plain weekends.
        exceptions = {row.day: row.workday for row in Holiday.select(Holiday.day, Holiday.workday)
                      if row.day.year in entered}
        cache = {"at": now, "calendar": _Calendar(exceptions)}
        _caches[database.obj] = cache
    return cache["calendar"]


def loaded_at():
    """When this process last loaded the calendar: caches of things computed with it (boards) include it,
    so that another process's edit, seen here within CACHE_SECONDS, reaches them too."""
    _calendar()
    return _caches[database.obj]["at"]


def is_workday(day):
    """True when ``day`` is a working day: the calendar's exception if any, else Monday to Friday."""
    workday = _calendar().exceptions.get(day)
    return day.weekday() < 5 if workday is None else workday


def add_working_days(day, n):
    """The day ``n`` working days after ``day`` (before it when n < 0); ``day`` itself when n == 0."""
    if n == 0:
        return day
    calendar = _calendar()
    count = calendar.count(day.toordinal())
    if n > 0:
        return calendar.first_reaching(count + n)
    # Counting back: the |n|-th working day before ``day``, not counting ``day`` itself.
    before = count - is_workday(day)
    return calendar.first_reaching(before + n + 1)


def working_days_between(a, b):
    """The working days d with a < d <= b (negative, counted the same way, when b < a)."""
    calendar = _calendar()
    return calendar.count(b.toordinal()) - calendar.count(a.toordinal())


def _mark_year(year, source):
    CalendarYear.insert(year=year, source=source, updated_at=utcnow()).on_conflict(
        conflict_target=[CalendarYear.year],
        update={CalendarYear.source: source, CalendarYear.updated_at: utcnow()}).execute()


def seed_known_years(first_year=None):
    """Enter every year from ``first_year`` (default last year) that chinese_calendar knows and nobody entered."""
    import chinese_calendar

    first_year = first_year or local_today().year - 1
    known = {}
    for table, workday in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
        for day, name in table.items():
            if day.year >= first_year:
                known.setdefault(day.year, []).append(
                    {"day": day, "workday": workday, "name": HOLIDAY_NAMES_ZH.get(name, name)})
    seeded = []
    with database.atomic():
        entered = {row.year for row in CalendarYear.select(CalendarYear.year)}
        for year, rows in sorted(known.items()):
            if year in entered:
                continue
            Holiday.delete().where(Holiday.day.between(datetime.date(year, 1, 1),
                                                       datetime.date(year, 12, 31))).execute()
            Holiday.insert_many(rows).execute()
            _mark_year(year, "chinese_calendar")
            seeded.append(year)
    invalidate()
    return seeded


def set_day(day, workday, name=""):
    """Record ``day`` as a working or non-working day; its year counts as entered."""
    with database.atomic():
        Holiday.insert(day=day, workday=workday, name=name).on_conflict(
            conflict_target=[Holiday.day], update={Holiday.workday: workday, Holiday.name: name}).execute()
        _mark_year(day.year, "admin")
    invalidate()


def remove_day(day):
    """Drop the exception for ``day`` (it follows the weekend rule again)."""
    with database.atomic():
        Holiday.delete().where(Holiday.day == day).execute()
        _mark_year(day.year, "admin")
    invalidate()


def confirm_year(year):
    """Mark ``year`` as entered with the exceptions it has now (possibly none)."""
    _mark_year(year, "admin")
    invalidate()


def _parse_bool(text):
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_table(text):
    """Rows of a CSV or TSV table ``date,workday,name``; raise Invalid naming the first bad lines."""
    lines = text.lstrip("\ufeff").splitlines()
    delimiter = "\t" if lines and "\t" in lines[0] else ","
    rows, errors = {}, []
    for number, cells in enumerate(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        try:
            day = datetime.date.fromisoformat(cells[0])
        except ValueError:
            if number == 1 and not any(ch.isdigit() for ch in cells[0]):
                continue  # a header line
            errors.append(_("line %(n)s: %(value)s is not a date like 2027-10-01", n=number, value=cells[0]))
            continue
        workday = _parse_bool(cells[1]) if len(cells) > 1 else None
        if workday is None:
            errors.append(_("line %(n)s: the second column must say whether it is a working day (1 or 0)",
                            n=number))
            continue
        rows[day] = {"day": day, "workday": workday, "name": cells[2][:64] if len(cells) > 2 else ""}
    if errors:
        raise Invalid(_("The table has errors; nothing was imported."), fields={"file": "; ".join(errors[:5])})
    if not rows:
        raise Invalid(_("The table has no rows."), fields={"file": _("The table has no rows.")})
    return list(rows.values())


NOTICE_KINDS = {"休": False, "班": True}
MAX_NOTICE_ERRORS = 50
MAX_RANGE_DAYS = 31


def parse_notice(text):
    """Rows of a State Council notice written as lines ``DATE NAME 休|班`` or ``DATE~DATE NAME 休|班``
    (docs/configuration.md); every line is checked, and Invalid lists each bad line with its reason."""
    rows, errors = {}, []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        try:
            line = clean(line)
        except BadText as exc:
            errors.append(_("line %(n)s: %(reason)s", n=number, reason=str(exc)))
            continue
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) < 3:
            errors.append(_("line %(n)s: write a date or a range, a name and 休 or 班", n=number))
            continue
        when, name, kind = words[0], " ".join(words[1:-1]), words[-1]
        first, _tilde, last = when.replace("～", "~").partition("~")
        try:
            start = datetime.date.fromisoformat(first)
            end = datetime.date.fromisoformat(last) if last else start
        except ValueError:
            errors.append(_("line %(n)s: %(value)s is not a date like 2027-10-01 or a range like "
                            "2027-10-01~2027-10-07", n=number, value=when))
            continue
        if kind not in NOTICE_KINDS:
            errors.append(_("line %(n)s: the last word must be 休 (day off) or 班 (working day), not %(value)s",
                            n=number, value=kind))
            continue
        if end < start or (end - start).days >= MAX_RANGE_DAYS:
            errors.append(_("line %(n)s: a range runs forward, over at most %(days)s days",
                            n=number, days=MAX_RANGE_DAYS))
            continue
        if len(name) > 64:
            errors.append(_("line %(n)s: the name has at most %(max)s characters", n=number, max=64))
            continue
        workday = NOTICE_KINDS[kind]
        for offset in range((end - start).days + 1):
            day = start + datetime.timedelta(days=offset)
            if workday and day.weekday() < 5:
                errors.append(_("line %(n)s: %(day)s is a weekday; 班 marks a weekend day worked",
                                n=number, day=day.isoformat()))
                break
            if day in rows and rows[day]["workday"] != workday:
                errors.append(_("line %(n)s: %(day)s is both a day off and a working day",
                                n=number, day=day.isoformat()))
                break
            rows[day] = {"day": day, "workday": workday, "name": name}
    if errors:
        shown = errors[:MAX_NOTICE_ERRORS]
        if len(errors) > len(shown):
            shown.append(_("and %(n)s more", n=len(errors) - len(shown)))
        raise Invalid(_("The notice has errors; nothing was imported."), fields={"notice": "; ".join(shown)})
    if not rows:
        raise Invalid(_("The notice has no lines."), fields={"notice": _("The notice has no lines.")})
    return sorted(rows.values(), key=lambda row: row["day"])


def import_notice(text):
    """The notice's days, all or nothing; {year: days}. The notice is of the year most of its days fall in:
    that year's exceptions are replaced by it. Days of a neighbouring year (元旦 from 30 December, a 班 at
    the end of the year before) are set one by one, and the rest of that year stays as it was."""
    rows = parse_notice(text)
    counts = {}
    for row in rows:
        counts[row["day"].year] = counts.get(row["day"].year, 0) + 1
    year = max(counts, key=lambda y: (counts[y], y))
    others = [row for row in rows if row["day"].year != year]
    with database.atomic():
        result = _replace_years([row for row in rows if row["day"].year == year])
        if others:
            Holiday.delete().where(Holiday.day.in_([row["day"] for row in others])).execute()
            Holiday.insert_many(others).execute()
            for row in others:
                result[row["day"].year] = result.get(row["day"].year, 0) + 1
    invalidate()
    return dict(sorted(result.items()))


def import_table(text):
    """Replace the exceptions of every year the table mentions by its rows; return {year: rows}."""
    return _replace_years(parse_table(text))


def _replace_years(rows):
    years = {}
    for row in rows:
        years.setdefault(row["day"].year, []).append(row)
    with database.atomic():
        for year, year_rows in years.items():
            Holiday.delete().where(Holiday.day.between(datetime.date(year, 1, 1),
                                                       datetime.date(year, 12, 31))).execute()
            Holiday.insert_many(year_rows).execute()
            _mark_year(year, "import")
    invalidate()
    return {year: len(year_rows) for year, year_rows in sorted(years.items())}


def year_status(today=None):
    """The entered years (with their number of exceptions) and the current/next years still missing."""
    today = today or local_today()
    entered = list(CalendarYear.select().order_by(CalendarYear.year.desc()))
    counts = {}
    for row in Holiday.select(Holiday.day):
        counts[row.day.year] = counts.get(row.day.year, 0) + 1
    years = [{"year": y.year, "source": y.source, "updated_at": y.updated_at, "count": counts.get(y.year, 0)}
             for y in entered]
    known = {y.year for y in entered}
    missing = [year for year in (today.year, today.year + 1) if year not in known]
    return {"years": years, "missing": missing}


def holidays_of(year):
    """The exceptions entered for ``year``, by day."""
    return list(Holiday.select().where(Holiday.day.between(datetime.date(year, 1, 1),
                                                           datetime.date(year, 12, 31))).order_by(Holiday.day))


def missing_year(value):
    """The year of ``value`` (a date or YYYY-MM-DD text) when nobody entered its holidays, else None (also
    for text that is not a date): the deadline field warns about it."""
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    return None if CalendarYear.select().where(CalendarYear.year == day.year).exists() else day.year
