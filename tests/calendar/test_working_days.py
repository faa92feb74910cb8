"""Working days follow the database calendar; unknown years are plain weekends and never crash."""

import datetime

import pytest

from portal import calendar
from portal.calendar import services as service
from portal.calendar.models import CalendarYear, Holiday

D = datetime.date


def test_seeded_year_knows_national_day_and_the_worked_weekend(db):
    assert 2026 in calendar.seed_known_years(2025)
    assert not calendar.is_workday(D(2026, 10, 1))        # Thursday, 国庆节
    assert calendar.is_workday(D(2026, 10, 10))            # Saturday worked (调休)
    assert Holiday.get_by_id(D(2026, 10, 1)).name == "国庆节"
    # 2026-09-30 (Wed) + 1 working day skips the holiday week (10-01..07) to Thursday 10-08.
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert calendar.seed_known_years(2025) == []           # idempotent


def test_years_nobody_entered_fall_back_to_weekends(db):
    friday = D(2031, 1, 3)
    assert calendar.is_workday(friday) and not calendar.is_workday(D(2031, 1, 4))
    assert calendar.add_working_days(friday, 1) == D(2031, 1, 6)
    assert calendar.add_working_days(D(2031, 1, 6), -1) == friday
    assert calendar.add_working_days(friday, 0) == friday
    assert calendar.working_days_between(D(2030, 12, 31), D(2031, 12, 31)) == 261
    status = service.year_status(D(2027, 3, 1))
    assert status["missing"] == [2027, 2028]


def test_an_edit_is_seen_at_once(db):
    monday = D(2027, 10, 4)
    assert calendar.is_workday(monday)
    service.set_day(monday, False, "国庆节")
    assert not calendar.is_workday(monday)
    assert CalendarYear.get_by_id(2027).source == "admin"
    service.remove_day(monday)
    assert calendar.is_workday(monday)


def test_import_replaces_the_years_it_mentions(db):
    service.set_day(D(2027, 5, 3), False, "old")
    table = "date\tworkday\tname\n2027-10-01\t0\t国庆节\n2027-10-09\t1\t国庆节调休\n"
    assert calendar.import_table(table) == {2027: 2}
    assert not calendar.is_workday(D(2027, 10, 1))
    assert calendar.is_workday(D(2027, 10, 9))
    assert calendar.is_workday(D(2027, 5, 3))   # the year was replaced by the table
    assert calendar.import_table("2028-01-03,休,元旦") == {2028: 1}
    assert service.year_status(D(2027, 3, 1))["missing"] == []


@pytest.mark.parametrize("table", ["2027-13-01,0,x", "2027-10-01,maybe,x", "", "date,workday,name\n"])
def test_a_bad_table_imports_nothing_and_says_where(db, table):
    from portal.kernel.errors import Invalid

    with pytest.raises(Invalid) as err:
        calendar.import_table(table)
    assert err.value.fields["file"]
    assert not CalendarYear.select().exists()
