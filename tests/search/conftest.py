"""Items made through the item services (each call in its own app context, so that signed-in test
clients keep their own request contexts)."""

import pytest

from portal.auth.models import User
from portal.kernel.db import database
from tests.items import conftest as items


class Items:
    """register()/act() as in tests/items, by username, each in a short app context of its own."""

    def __init__(self, app):
        self.app = app

    def _user(self, username):
        return User.get(User.username == username)

    def register(self, username="supervisor", **fields):
        with self.app.app_context(), database.connection_context():
            return items.register(self._user(username), **fields)

    def act(self, username, item, action, **data):
        with self.app.app_context(), database.connection_context():
            return items.act(self._user(username), item, action, **data)


@pytest.fixture
def work(app, demo, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    return Items(app)
