"""A small fixed office history built through the real actions, at fixed times (time_machine).

March 2025 with a holiday on Wednesday 12 March and a worked Saturday on 15 March.
Every expectation in the tests is computed by hand from the steps below.
"""

import datetime
import zoneinfo

import pytest
import time_machine

from portal.auth.models import User
from portal.calendar.services import set_day
from portal.items import actions, services
from portal.items.models import Item

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class People:
    def __getattr__(self, username):
        return User.get(User.username == username)


def at(day, hour=10):
    """Travel to ``day`` at ``hour`` o'clock, Shanghai time (the clock stands still)."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), SHANGHAI), tick=False)


def d(month, day):
    return datetime.date(2025, month, day)


@pytest.fixture
def app(make_app):
    return make_app(stats={"min_items": 2}, workflow={"closure_requires_attachment": False})


@pytest.fixture
def people(app, demo, db):
    """The demo accounts, with a database connection held for the test (no HTTP requests then)."""
    return People()


class History:
    def __init__(self, people):
        self.p = people
        self.items = {}

    def act(self, user, name, action, **data):
        item = Item.get_by_id(self.items[name].id)
        data.setdefault("version", item.version)
        actions.perform(user, item, action, data)

    def register(self, name, deadline, department="property", **fields):
        data = {"title": f"事项{name}", "source_type": "meeting", "level": "normal",
                "lead_department": department, "co_departments": [], "leader": "leader",
                "supervisor": "supervisor", "deadline": deadline.isoformat()}
        data.update(fields)
        self.items[name] = services.create_item(self.p.supervisor, data)
        self.act(self.p.supervisor, name, "dispatch")

    def close(self, name, handler=None):
        self.act(handler or self.p.handler, name, "request_closure", comment="已完成")
        self.act(self.p.supervisor, name, "review", decision="approve")
        self.act(self.p.leader, name, "approve", decision="approve")


def build_history(people):
    """The fixed data set; see the module docstring of test_figures.py for each item's story."""
    set_day(d(3, 12), False, "测试假日")
    set_day(d(3, 15), True, "调休上班")
    h = History(people)
    with at(d(2, 24)):
        h.register("G", d(3, 10))
        h.act(people.handler, "G", "accept")
    with at(d(3, 3)):
        h.register("A", d(3, 20))
        h.act(people.handler, "A", "accept")
        h.register("B", d(3, 14))
        h.register("C", d(3, 11))
        h.act(people.handler, "C", "accept")
        h.register("H", d(3, 31))
        h.register("J", d(3, 7), department="culture")
        h.act(people.culture, "J", "accept")
        h.register("K", d(3, 31), department="culture")
    with at(d(3, 4)):
        h.register("D", d(3, 14), feedback_cycle_days="7")
        h.act(people.handler, "D", "accept")
        h.close("G")
    with at(d(3, 5)):
        h.register("E", d(4, 30))
        h.act(people.handler, "C", "request_extension", new_deadline=d(3, 25).isoformat(), comment="需协调")
        h.act(people.supervisor, "H", "cancel", comment="撤销")
    with at(d(3, 6)):
        h.act(people.handler, "E", "return", reason="not_our_remit", comment="不属于本部门职责")
        h.act(people.leader, "C", "decide_extension", decision="approve", comment="同意")
    with at(d(3, 7)):
        h.act(people.handler, "B", "accept")
    with at(d(3, 10)):
        h.close("A")
        h.act(people.leader, "A", "rate", score="4", comment="好")
        h.register("F", d(3, 31), department="catering")
        h.act(people.catering, "F", "accept")
    with at(d(3, 13)):
        h.close("F", handler=people.catering)
        h.act(people.leader, "F", "rate", score="5", comment="很好")
    with at(d(3, 17)):
        h.close("B")
        h.act(people.leader, "B", "rate", score="2", comment="较差")
    with at(d(3, 18)):
        h.act(people.leader, "D", "instruct", comment="请加快推进燃气接入")
    with at(d(3, 20)):
        h.close("C")
        h.act(people.handler, "D", "report", progress="50", comment="推进中")
    with at(d(4, 2)):
        h.register("I", d(4, 30))
    return h


@pytest.fixture
def history(app):
    """The history, built in its own app context so that test clients get a fresh one per request."""
    from portal import demo
    from portal.kernel.db import database

    with app.app_context(), database.connection_context():
        demo.seed_people()
        return build_history(People())


@pytest.fixture
def in_april(history):
    """The history, and the clock stopped on 10 April 2025 for the rest of the test."""
    with at(d(4, 10)):
        yield history
