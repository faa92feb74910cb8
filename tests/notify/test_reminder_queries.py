"""The whole reminder scan — items, overdue petition replies, trainings — sends as many statements for many
petitions and people as for one: no statement per petition or per person reminded."""

import datetime

from portal.auth.models import Department, User
from portal.kernel.db import database
from portal.notify import reminders
from portal.notify.models import Outbox
from portal.petitions import services as petitions
from portal.petitions.models import Petition
from portal.training.models import Enrolment, Training
from tests.notify.conftest import notify_config, seed_people
from tests.querycount import count_queries

THURSDAY = datetime.date(2027, 3, 4)  # 2027: plain weekends
FRIDAY, MONDAY = THURSDAY + datetime.timedelta(days=1), THURSDAY + datetime.timedelta(days=4)
HANDLERS = ["handler", "catering", "commute", "kindergarten", "retirees", "culture"]


def _overdue_petitions(supervisor, count):
    property_ = Department.get(Department.code == "property").id
    for _n in range(count):
        number = petitions.register(supervisor, {"channel": "hotline", "category": "heating", "area": "东风小区",
                                                 "content": "暖气不热"}).number
        Petition.update(state="assigned", department=property_, reply_due=THURSDAY - datetime.timedelta(days=2)) \
            .where(Petition.number == number).execute()


def _training_on(day, people, usernames):
    starts = datetime.datetime.combine(day, datetime.time(9))
    training = Training.create(title="安全培训", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
                               place="三楼会议室", trainer="王老师", capacity=50, enrol_until=starts,
                               created_by=people["supervisor"])
    for username in usernames:
        Enrolment.create(training=training, user=people[username])


def test_the_scan_sends_no_statement_per_petition_or_person(make_app):
    app = make_app(**notify_config())
    with app.test_request_context(), database.connection_context():
        people = seed_people()
        supervisor = User.get(User.username == "supervisor")
        reminders.scan(THURSDAY - datetime.timedelta(days=1))  # warm the calendar cache
        _overdue_petitions(supervisor, 1)
        _training_on(FRIDAY, people, HANDLERS[:1])
        with count_queries() as few:
            counts = reminders.scan(THURSDAY)
        assert (counts["petition_reply_overdue"], counts["training_reminder"]) == (2, 1)  # handler, registrar

        _overdue_petitions(supervisor, 5)
        _training_on(MONDAY, people, HANDLERS)
        with count_queries() as many:
            counts = reminders.scan(FRIDAY)
        assert (counts["petition_reply_overdue"], counts["training_reminder"]) == (12, 6)
        assert len(many) == len(few)
        assert Outbox.select().where(Outbox.kind == "training_reminder").count() == 7
