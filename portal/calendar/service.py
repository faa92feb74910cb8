"""Working days from the database calendar; years nobody entered count plain weekends.

Lookups go through a per-database, per-process cache of each year's exceptions.
Edits here invalidate it at once; edits made by another process show within
CACHE_SECONDS. No date, however far out, raises: an unknown year is weekends.
"""

import csv
import datetime
import io
import time
import weakref
import zoneinfo

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..db import database, utcnow
from ..errors import Invalid
from .models import CalendarYear, Holiday

CACHE_SECONDS = 60
_caches = weakref.WeakKeyDictionary()  # peewee database -> {"at": monotonic, "years": {year: {day: bool}|None}}

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节", "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}
TRUE_WORDS = {"1", "true", "yes", "y", "workday", "work", "是", "班", "上班", "工作日"}
FALSE_WORDS = {"0", "false", "no", "n", "holiday", "off", "否", "休", "休息", "假", "节假日"}


def local_today():
    """Today's date in the portal's time zone (app.timezone)."""
    name = current_app.config["PORTAL"]["app"]["timezone"] if has_app_context() else "Asia/Shanghai"
    return datetime.datetime.now(zoneinfo.ZoneInfo(name)).date()


def invalidate():
    """Forget the cached calendar of the current database (call after any edit)."""
    _caches.pop(database.obj, None)


def _year(year):
    """The exceptions of ``year`` as {day: workday}, or None when nobody entered the year."""
    cache = _caches.get(database.obj)
    now = time.monotonic()
    if cache is None or now - cache["at"] > CACHE_SECONDS:
        cache = {"at": now, "years": {}}
        _caches[database.obj] = cache
    years = cache["years"]
    if year not in years:
        if CalendarYear.get_or_none(CalendarYear.year == year) is None:
            years[year] = None
        else:
            rows = Holiday.select().where(Holiday.day.between(datetime.date(year, 1, 1),
                                                              datetime.date(year, 12, 31)))
            years[year] = {row.day: row.workday for row in rows}
    return years[year]


def is_workday(day):
    """True when ``day`` is a working day: the calendar's exception if any, else Monday to Friday."""
    exceptions = _year(day.year)
    if exceptions and day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(day, n):
    """The day ``n`` working days after ``day`` (before it when n < 0); ``day`` itself when n == 0."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(a, b):
    """The working days d with a < d <= b (negative, counted the same way, when b < a)."""
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count


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


def import_table(text):
    """Replace the exceptions of every year the table mentions by its rows; return {year: rows}."""
    rows = parse_table(text)
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
