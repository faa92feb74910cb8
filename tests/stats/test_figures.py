"""Every figure of docs/statistics.md against a hand count, on SQLite and PostgreSQL.

The history (tests/stats/conftest.py), Shanghai time, 2025; 12 March a holiday, 15 March (Sat) worked:
  G property: dispatched 24 Feb, signed 24 Feb, closed 4 Mar (deadline 10 Mar: on time)   6 working days
  A property: dispatched 3 Mar, signed at once, closed 10 Mar (deadline 20 Mar), rated 4     5 working days
  B property: dispatched 3 Mar, signed 7 Mar (due 5 Mar: late), closed 17 Mar (deadline
              14 Mar: late), rated 2                        4-7, 10, 11, 13, 14, 15 (worked), 17 = 10
  C property: dispatched 3 Mar, deadline 11 Mar extended (approved 6 Mar) to 25 Mar, closed
              20 Mar: on time by the extended deadline                                     13 working days
  D property: dispatched 4 Mar, deadline 14 Mar, weekly feedback due 11 Mar, reported 20 Mar
              (late feedback); still open: overdue
  E property: dispatched 5 Mar, returned 6 Mar (by the property handler)
  H property: dispatched 3 Mar, cancelled 5 Mar
  I property: dispatched 2 Apr (outside March)
  F catering: dispatched 10 Mar, closed 13 Mar on time across the holiday, rated 5          2 working days
  J culture:  dispatched 3 Mar, deadline 7 Mar, signed, still open: overdue
  K culture:  dispatched 3 Mar, deadline 31 Mar, never signed
"""

import datetime

from portal.calendar import working_days_between
from portal.stats.figures import department_stats, monthly_trends
from portal.stats.periods import Period

from .conftest import at, d

MARCH = Period(d(3, 1), d(3, 31))
# Hand counts for March 2025, asked on 10 April (a past period).
PROPERTY = {
    "received": 6,            # A B C D E H (G in February, I in April)
    "closed": 4,              # A B C G
    "closed_on_time": 3,      # A C G
    "on_time_rate": 0.75,
    "open_overdue": 1,        # D (H cancelled, B closed before the end)
    "avg_days_to_close": 8.5,  # (5 + 10 + 13 + 6) / 4
    "avg_score": 3.0,         # (4 + 2) / 2; C and G unrated
    "returns": 1,             # E
    "extensions": 1,          # C
    "late_signatures": 1,     # B
    "late_feedback": 1,       # D
    "items": 7,               # A B C D E H + G closed
    # 40·0.75 + 15·(3−1)/4 + (25+5+5+5+5)·(1 − 1/7) = 30 + 7.5 + 38.57
    "score": 76.1,
    "rank": 1,                # catering scores more but is not ranked (1 item < stats.min_items = 2)
}
CATERING = {"received": 1, "closed": 1, "closed_on_time": 1, "on_time_rate": 1.0, "open_overdue": 0,
            "avg_days_to_close": 2.0, "avg_score": 5.0, "returns": 0, "extensions": 0, "late_signatures": 0,
            "late_feedback": 0, "items": 1, "score": 100.0, "rank": None,
            "not_ranked": "few_items"}
# Nothing closed or rated: only the penalties count, 25·(1 − 1/2) + 20·1 of 45.
CULTURE = {"received": 2, "closed": 0, "closed_on_time": 0, "on_time_rate": None, "open_overdue": 1,
           "avg_days_to_close": None, "avg_score": None, "returns": 0, "extensions": 0, "late_signatures": 0,
           "late_feedback": 0, "items": 2, "score": 72.2, "rank": 2,
           "not_ranked": None, "tied": False}


def by_code(result):
    return {row["code"]: row for row in result["departments"]}


def test_the_working_days_of_the_story_agree_with_the_calendar(history, db):
    for start, end, expected in [((2, 24), (3, 4), 6), ((3, 3), (3, 10), 5), ((3, 3), (3, 17), 10),
                                 ((3, 3), (3, 20), 13), ((3, 10), (3, 13), 2)]:
        assert working_days_between(d(*start), d(*end)) == expected


def test_every_figure_of_a_past_month_by_department(history, db):
    with at(d(4, 10)):
        result = department_stats(MARCH)
    rows = by_code(result)
    for code, expected in (("property", PROPERTY), ("catering", CATERING), ("culture", CULTURE)):
        assert {key: rows[code][key] for key in expected} == expected, code
    assert rows["commute"]["score"] is None and rows["commute"]["rank"] is None and rows["commute"]["received"] == 0
    assert rows["commute"]["not_ranked"] == "no_items"
    # The ranked first, by rank; then the others in department order.
    assert [row["code"] for row in result["departments"]][:4] == ["property", "culture", "office", "catering"]
    # Catering scores best but has one item (< stats.min_items = 2): the awards go to the ranked.
    assert result["best"]["code"] == "property" and result["worst"]["code"] == "culture"


def test_a_past_period_counts_the_items_open_and_overdue_at_its_end(history, db):
    with at(d(4, 10)):
        rows = by_code(department_stats(Period(d(3, 1), d(3, 16))))
    # On 16 March B (deadline 14 Mar, closed 17 Mar) and D were open and overdue; C had been extended.
    assert rows["property"]["open_overdue"] == 2
    assert rows["property"]["closed"] == 2 and rows["property"]["closed_on_time"] == 2  # G, A
    assert rows["property"]["avg_days_to_close"] == 5.5
    assert rows["culture"]["open_overdue"] == 1


def test_a_period_ending_today_counts_the_overdue_items_as_of_now(history, db):
    with at(d(4, 10)):
        rows = by_code(department_stats(Period(d(4, 1), d(4, 10))))
    assert rows["property"]["received"] == 1          # I
    assert rows["property"]["open_overdue"] == 1      # D, dispatched in March, still overdue now
    assert rows["culture"]["open_overdue"] == 2       # J, and K (deadline 31 Mar) now too
    assert rows["property"]["closed"] == 0 and rows["property"]["on_time_rate"] is None


def test_a_handlers_department_alone(history, people):
    with at(d(4, 10)):
        result = department_stats(MARCH, [people.handler.department_id])
    assert [row["code"] for row in result["departments"]] == ["property"]
    assert {key: result["departments"][0][key] for key in PROPERTY if key != "rank"} == \
        {key: value for key, value in PROPERTY.items() if key != "rank"}


def test_monthly_trends_for_twelve_months(history, db):
    with at(d(4, 10)):
        trends = monthly_trends(d(3, 31))
    assert [t["month"] for t in trends] == [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]
    assert trends[-2] == {"month": "2025-02", "received": 1, "closed": 0, "closed_on_time": 0, "on_time_rate": None}
    # March: A B C D E H (property), F (catering), J K (culture) received; A B C G F closed, B late.
    assert trends[-1] == {"month": "2025-03", "received": 9, "closed": 5, "closed_on_time": 4, "on_time_rate": 0.8}
    assert all(t["received"] == 0 for t in trends[:-2])


def test_the_composite_score_follows_the_configured_weights(history, db, app):
    app.config["PORTAL"]["stats"]["weights"] = {"on_time_rate": 1.0, "open_overdue": 0.0, "avg_score": 0.0,
                                                "late_signatures": 0.0, "late_feedback": 0.0, "returns": 0.0,
                                                "extensions": 0.0}
    with at(d(4, 10)):
        rows = by_code(department_stats(MARCH))
    assert rows["property"]["score"] == 75.0 and rows["catering"]["score"] == 100.0
    assert rows["culture"]["score"] is None  # nothing closed: no part applies
    assert datetime.date(2025, 3, 31) == MARCH.end
