"""Helpers for item tests: the demo people and a quick way to register and move items."""

import datetime
import io

import pytest
from werkzeug.datastructures import FileStorage

from portal.auth.models import User
from portal.items import actions, attachments, services
from portal.items.models import Item
from portal.kernel.clock import local_today


class People:
    def __getattr__(self, username):
        return User.get(User.username == username)


@pytest.fixture
def people(app, demo, db, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    return People()


def register(supervisor, **fields):
    data = {"title": "供暖接入市网", "source_type": "meeting", "level": "major", "lead_department": "property",
            "co_departments": ["catering"], "leader": "leader",
            "deadline": (local_today() + datetime.timedelta(days=20)).isoformat()}
    data.update(fields)
    return services.create_item(supervisor, data)


def act(user, item, action, **data):
    item = Item.get_by_id(item.id)
    data.setdefault("version", item.version)
    actions.perform(user, item, action, data)
    return Item.get_by_id(item.id)


def attach(user, item, name="evidence.pdf", content=b"%PDF-1.4 evidence"):
    return attachments.add_attachment(user, Item.get_by_id(item.id), FileStorage(io.BytesIO(content), filename=name))
