"""What a handler sees of the items around one they may see: never another department's child."""

import datetime

from portal.auth.models import User
from portal.db import database
from portal.items import services
from tests.conftest import csrf_token


def _register(supervisor, title, lead, parent=None, **fields):
    data = {"title": title, "lead_department": lead, "leader": "leader", "source_type": "meeting",
            "deadline": (datetime.date.today() + datetime.timedelta(days=20)).isoformat(), **fields}
    if parent is None:
        return services.create_item(supervisor, data)
    return services.add_child(supervisor, parent, data)


def test_the_item_page_lists_only_the_children_a_handler_may_see(app, client, demo):
    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        parent = _register(supervisor, "供暖接入市网", "property", co_departments=["catering"])
        _register(supervisor, "食堂燃气改造子任务", "commute", parent=parent)
        _register(supervisor, "餐饮中心配合事项", "catering", parent=parent)
    client.post("/login", data={"username": "catering", "password": "demo", "csrf_token": csrf_token(client)})
    page = client.get(f"/items/{parent.number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "供暖接入市网" in html
    assert "餐饮中心配合事项" in html  # catering leads this child: visible
    assert "食堂燃气改造子任务" not in html  # commute's child: not this handler's to see
