"""Helpers for the page tests: items made through the services (on the demo accounts)."""

import datetime

import pytest

from portal.auth.models import User
from portal.items import services
from portal.items.actions import perform
from portal.kernel.db import database


@pytest.fixture
def make_item(app, demo):
    """``make_item(title, lead="property", actions=("dispatch",))``: an item registered and moved on by services."""

    def factory(title="供暖接入市网", lead="property", actions=("dispatch",), **fields):
        with app.test_request_context(), database.connection_context():
            supervisor = User.get(User.username == "supervisor")
            deadline = datetime.date.today() + datetime.timedelta(days=30)
            item = services.create_item(supervisor, {"title": title, "lead_department": lead, "leader": "leader",
                                                     "deadline": deadline.isoformat(), "content": "要求",
                                                     "source_type": "meeting", **fields})
            actors = {"dispatch": supervisor, "accept": User.get(User.username == "handler")}
            for action in actions:
                item = services.get_visible(supervisor, item.number)
                perform(actors[action], item, action, {"version": item.version})
            return item.number

    return factory

