"""The reminder scan: who is reminded of what, at most once a day, in working days, in SQL."""

import datetime

from portal.calendar.services import set_day
from portal.notify import delivery, reminders
from portal.notify.models import Notification, Outbox
from tests.notify.conftest import make_item, notify_config, seed_people
from tests.querycount import count_queries

THURSDAY = datetime.date(2027, 3, 4)  # 2027: a year nobody entered, so plain weekends unless set here


def outbox():
    return sorted((row.kind, row.item.number, row.recipient.username) for row in Outbox.select())


def scenario(people, today=THURSDAY):
    day = datetime.timedelta(days=1)
    make_item(people, "DB-2027-0001", today + 4 * day)                    # deadline Monday: 2 working days
    make_item(people, "DB-2027-0002", today + 6 * day)                    # next Wednesday: 4 working days
    make_item(people, "DB-2027-0003", today - day, state="in_progress")   # overdue by one day
    make_item(people, "DB-2027-0004", today - 7 * day)                    # overdue by five working days
    make_item(people, "DB-2027-0005", today + 30 * day, state="in_progress", feedback_cycle_days=7,
              next_feedback_due=today)                                    # progress report due today
    make_item(people, "DB-2027-0006", today - 9 * day, state="closed")    # closed: never reminded
    make_item(people, "DB-2027-0007", today + day, state="draft")         # draft: never reminded


def test_the_scan_reminds_the_right_people_once_a_day(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        scenario(people)
        counts = reminders.scan(THURSDAY)
        assert counts == {"reminder_deadline": 1, "reminder_feedback": 1, "reminder_overdue": 4,
                          "reminder_escalation": 1, "reminder_acknowledge": 0,
                          "petition_reply_overdue": 0, "training_reminder": 0}
        assert outbox() == [
            ("reminder_deadline", "DB-2027-0001", "handler"),
            ("reminder_escalation", "DB-2027-0004", "leader"),
            ("reminder_feedback", "DB-2027-0005", "handler"),
            ("reminder_overdue", "DB-2027-0003", "handler"),
            ("reminder_overdue", "DB-2027-0003", "supervisor"),
            ("reminder_overdue", "DB-2027-0004", "handler"),
            ("reminder_overdue", "DB-2027-0004", "supervisor"),
        ]
        # The same day again: nothing new, nothing sent twice.
        assert set(reminders.scan(THURSDAY).values()) == {0}
        assert delivery.relay() == 7
        assert set(reminders.scan(THURSDAY).values()) == {0}
        assert delivery.relay() == 0
        assert Notification.select().count() == 7

        # The next working day reminds again, but the leader hears of an overdue deadline once.
        friday = reminders.scan(THURSDAY + datetime.timedelta(days=1))
        assert friday["reminder_escalation"] == 0 and friday["reminder_overdue"] == 4


def test_holidays_count_in_working_days_and_a_holiday_sends_nothing(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        scenario(people)
        friday, monday = THURSDAY + datetime.timedelta(days=1), THURSDAY + datetime.timedelta(days=4)
        set_day(friday, workday=False, name="测试假日")
        # With Friday off, next Wednesday is three working days away: now within the warning.
        counts = reminders.scan(THURSDAY)
        assert counts["reminder_deadline"] == 2
        assert reminders.scan(friday) == {}  # nobody is reminded on a holiday
        # Monday: the same overdue items again; the holiday keeps DB-2027-0003 short of escalation.
        again = reminders.scan(monday)
        assert again["reminder_overdue"] == 4 and again["reminder_escalation"] == 0


def test_the_scan_is_sql_its_query_count_does_not_grow_with_items(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        reminders.scan(THURSDAY)  # warm the calendar cache
        for n in range(3):
            make_item(people, f"DB-2027-{n + 1:04d}", THURSDAY - datetime.timedelta(days=1))
        with count_queries() as few:
            reminders.scan(THURSDAY)
        for n in range(3, 60):
            make_item(people, f"DB-2027-{n + 1:04d}", THURSDAY - datetime.timedelta(days=1))
        with count_queries() as many:
            counts = reminders.scan(THURSDAY + datetime.timedelta(days=1))
        assert counts["reminder_overdue"] == 120
        assert len(many) == len(few)


def test_the_remind_command_scans_and_sends(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        scenario(seed_people())
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind", "--date", THURSDAY.isoformat()])
    assert first.exit_code == 0, first.output
    assert "reminder_overdue: 4 new" in first.output and "relayed: 7" in first.output
    second = runner.invoke(args=["remind", "--date", THURSDAY.isoformat()])
    assert "reminder_overdue: 0 new" in second.output and "relayed: 0" in second.output
    weekend = runner.invoke(args=["remind", "--date", "2027-03-06"])
    assert "not a working day" in weekend.output
    with app.app_context():
        assert Notification.select().count() == 7
