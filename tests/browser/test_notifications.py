"""A handler's notification badge lights up, without a reload, when a supervisor dispatches to them."""

import datetime

from playwright.sync_api import expect

from portal.auth.models import User
from portal.items import services
from portal.kernel.db import database


def test_the_badge_lights_up_and_mark_read_clears_it(open_as, live_server):
    with live_server.app.app_context(), database.connection_context():
        item = services.create_item(User.get(User.username == "supervisor"), {
            "title": "旧房出售政策宣讲", "source_type": "meeting", "level": "normal", "lead_department": "property",
            "leader": "leader", "deadline": (datetime.date.today() + datetime.timedelta(days=20)).isoformat()})
    handler = open_as("handler")
    badge = handler.locator("#notification-badge")
    expect(badge).to_have_text("0")

    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/items/{item.number}")
    with supervisor.expect_response(lambda r: "/actions/dispatch" in r.url):
        supervisor.get_by_role("button", name="交办").click()

    # The handler did nothing: the badge polls (every 15 s) and shows the new notification.
    expect(badge).to_have_text("1", timeout=25_000)
    handler.locator(".mainnav").get_by_role("link", name="通知").click()
    row = handler.locator(".notification", has_text="旧房出售政策宣讲")
    expect(row).to_contain_text("新交办事项")
    with handler.expect_response(lambda r: r.url.endswith("/read")):
        row.get_by_role("button", name="标为已读").click()
    expect(row).to_contain_text("已读")
    expect(handler.locator("#notification-badge")).to_have_text("0")
