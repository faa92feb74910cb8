"""Helpers for the page tests: signed-in clients and items made through the services."""

import datetime

import pytest

from portal.auth.models import User
from portal.kernel.db import database
from portal.items import services
from portal.items.actions import perform
from tests.conftest import csrf_token


@pytest.fixture
def people(app):
    """The demo departments and accounts only (password ``demo``): the tests make their own items."""
    from portal import demo

    with app.app_context(), database.connection_context():
        demo.seed_people()


@pytest.fixture
def signed_in(app, people):
    """``signed_in(username)``: a test client signed in through the login form."""

    def factory(username):
        client = app.test_client()
        token = csrf_token(client)
        response = client.post("/login", data={"username": username, "password": "demo", "csrf_token": token})
        assert response.status_code == 303
        return client

    return factory


@pytest.fixture
def make_item(app, people):
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

