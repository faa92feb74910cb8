"""Working days cost the same for a deadline in 9999 as for one next month, and equal a day-by-day count.

Issue 10, finding 1: an item due 9999-12-31 took ~5 s to render because working days were counted
one day at a time (and one calendar query per year). The tests measure work done (SQL statements,
Python calls), never time; `python -m bench.working_days` measures the speed.
"""

import contextlib
import datetime
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from portal import calendar
from portal.auth.models import User
from portal.calendar import services as service
from portal.calendar.models import CalendarYear, Holiday
from portal.items import actions, services
from portal.items.models import Item
from portal.kernel import clock
from portal.kernel.db import database
from tests.querycount import count_queries

D = datetime.date


# --- the straightforward definition, one day at a time (the code before the fix) ----------------

def reference_is_workday(day, entered, exceptions):
    if day.year in entered and day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def reference_between(a, b, entered, exceptions):
    if b < a:
        return -reference_between(b, a, entered, exceptions)
    count, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        count += reference_is_workday(day, entered, exceptions)
    return count


def reference_add(day, n, entered, exceptions):
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if reference_is_workday(day, entered, exceptions):
            remaining -= 1
    return day


def weekdays_after(a, b):
    """Monday-to-Friday days d with a < d <= b, by whole weeks plus the few days left over."""
    weeks, rest = divmod((b - a).days, 7)
    return 5 * weeks + sum((a + datetime.timedelta(days=k)).weekday() < 5 for k in range(1, rest + 1))


@contextlib.contextmanager
def python_calls_at_most(limit):
    """Fail as soon as the block makes more than ``limit`` Python function calls (a day loop makes millions)."""
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1
            if calls > limit:
                sys.setprofile(None)
                raise AssertionError(f"more than {limit} Python calls: the days are being walked one by one")

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)


# --- the page: what the attack run found ---------------------------------------------------------

def test_an_item_due_9999_12_31_costs_what_one_due_next_month_costs(app, demo, sign_in):
    from portal.kernel import changes

    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        numbers = {}
        for key, title in (("soon", "下月到期"), ("far", "远期事项")):
            item = services.create_item(supervisor, {
                "title": title, "source_type": "meeting", "lead_department": "property", "leader": "leader",
                "deadline": (clock.local_today() + datetime.timedelta(days=30)).isoformat()})
            actions.perform(supervisor, item, "dispatch", {"version": item.version})
            numbers[key] = item.number
        # Saved before dates had a horizon (or written by another tool): the page must still be cheap.
        Item.update(deadline=D.max).where(Item.number == numbers["far"]).execute()
        today = clock.local_today()
    client = sign_in("supervisor", app=app)

    def cold_page(number):
        with app.app_context():
            service.invalidate()  # count the calendar's own queries too
        changes.forget()  # and nothing else cached either
        with count_queries() as statements:
            response = client.get(f"/items/{number}")
        assert response.status_code == 200
        return len(statements), response.get_data(as_text=True)

    soon_queries, _ = cold_page(numbers["soon"])
    far_queries, html = cold_page(numbers["far"])
    assert far_queries == soon_queries
    assert "9999-12-31" in html and str(weekdays_after(today, D.max)) in html  # no year entered: weekends


def test_eight_thousand_years_of_working_days_take_no_walk_through_the_days(db):
    calendar.seed_known_years(2004)
    entered = {row.year for row in CalendarYear.select()}
    exceptions = {row.day: row.workday for row in Holiday.select()}
    assert not calendar.is_workday(D(2026, 1, 1))  # 元旦; the calendar is loaded now
    with python_calls_at_most(200):
        forward = calendar.working_days_between(D(2026, 1, 1), D.max)
        backward = calendar.working_days_between(D.max, D.min)
        second_to_last = calendar.add_working_days(D.min, -backward - 1)
        second = calendar.add_working_days(D.max, backward + 1)
        assert calendar.is_workday(D.max)
    # Entered years (2004-2026, from chinese_calendar) day by day; the other years are plain weekends.
    entered_span = D(2003, 12, 31), D(max(entered), 12, 31)
    shift = reference_between(*entered_span, entered, exceptions) - weekdays_after(*entered_span)
    assert backward == -(weekdays_after(D.min, D.max) + shift)
    assert forward == (reference_between(D(2026, 1, 1), entered_span[1], entered, exceptions)
                       + weekdays_after(entered_span[1], D.max))
    assert second_to_last == D(9999, 12, 30)  # 9999-12-31 is a Friday
    assert second == D(1, 1, 2)               # 0001-01-01 is a Monday


def test_counting_past_the_last_or_first_day_fails_as_it_always_did(db):
    with pytest.raises(OverflowError):
        calendar.add_working_days(D(9999, 12, 30), 2)
    with pytest.raises(OverflowError):
        calendar.add_working_days(D(1, 1, 2), -2)
    assert calendar.add_working_days(D(9999, 12, 30), 1) == D(9999, 12, 31)
    assert calendar.add_working_days(D(1, 1, 2), -1) == D(1, 1, 1)
    assert calendar.working_days_between(D.min, D.min) == 0


# --- the property: fast equals day by day, for any holiday table ----------------------------------

FIRST, LAST = 2024, 2031
days_in_tables = st.dates(D(FIRST, 1, 1), D(LAST, 12, 31))
days_asked = st.dates(D(FIRST - 2, 1, 1), D(LAST + 2, 12, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entered=st.sets(st.integers(FIRST, LAST)),
       exceptions=st.dictionaries(days_in_tables, st.booleans(), max_size=80),
       questions=st.lists(st.tuples(days_asked, days_asked, st.integers(-800, 800)), min_size=1, max_size=8))
def test_the_fast_count_equals_the_day_by_day_count(db, entered, exceptions, questions):
    with database.atomic():
        Holiday.delete().execute()
        CalendarYear.delete().execute()
        # Rows of a year nobody entered are left in the table on purpose: they must not count.
        if exceptions:
            Holiday.insert_many([{"day": day, "workday": workday, "name": ""}
                                 for day, workday in exceptions.items()]).execute()
        for year in entered:
            CalendarYear.create(year=year, source="admin")
    calendar.invalidate()
    for a, b, n in questions:
        assert calendar.is_workday(a) == reference_is_workday(a, entered, exceptions)
        assert calendar.working_days_between(a, b) == reference_between(a, b, entered, exceptions)
        assert calendar.add_working_days(a, n) == reference_add(a, n, entered, exceptions)
