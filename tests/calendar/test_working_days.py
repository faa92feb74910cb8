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


NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（示例）
2027-01-01 元旦 休
2027-02-06~2027-02-12 春节 休
2027-02-14 春节 班
"""


def test_a_notice_imports_days_and_ranges(db):
    assert service.import_notice(NOTICE_2027) == {2027: 9}
    assert not calendar.is_workday(D(2027, 1, 1)) and not calendar.is_workday(D(2027, 2, 10))
    assert calendar.is_workday(D(2027, 2, 14))  # a Sunday worked
    assert CalendarYear.get_by_id(2027).source == "import"


def test_a_notice_reaching_into_the_year_before_keeps_that_years_other_days(db):
    """元旦 of 2028 from 30 December 2027: the range crosses the year; 2027's other days stay."""
    service.import_notice(NOTICE_2027)
    notice = "2027-12-30~2028-01-01 元旦 休\n2028-01-29~2028-02-04 春节 休\n2028-02-05 补班 班\n"
    assert service.import_notice(notice) == {2027: 2, 2028: 9}
    assert not calendar.is_workday(D(2027, 12, 30)) and not calendar.is_workday(D(2028, 1, 1))
    assert not calendar.is_workday(D(2027, 2, 10)) and calendar.is_workday(D(2027, 2, 14))  # 2027 kept
    assert CalendarYear.get_by_id(2028).source == "import"


def test_a_notice_line_with_control_characters_is_refused(db):
    from portal.kernel.errors import Invalid

    with pytest.raises(Invalid) as err:
        service.import_notice("2027-01-01 元\x00旦 休\n")
    assert "第 1 行" in err.value.fields["notice"]


def test_a_bad_notice_names_every_bad_line_and_imports_nothing(db):
    from portal.kernel.errors import Invalid

    service.set_day(D(2027, 5, 3), False, "old")
    notice = ("2027-01-01 元旦 休\n2027-02-30 春节 休\n2027-02-10 春节 放\n2027-03-01 补班 班\n"
              "2027-02-16~2027-02-10 春节 休\n2027-01-01 元旦 班\n元旦\n")
    with pytest.raises(Invalid) as err:
        service.import_notice(notice)
    message = err.value.fields["notice"]
    for number in (2, 3, 4, 5, 7):
        assert f"第 {number} 行" in message, (number, message)
    assert "第 1 行" not in message and "第 6 行" in message  # 2027-01-01 is a Friday: 班 refused
    assert [h.day for h in service.holidays_of(2027)] == [D(2027, 5, 3)]  # nothing written
