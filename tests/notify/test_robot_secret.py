"""A robot's signing secret is shown once, when an admin saves it; afterwards the page shows it masked."""

import pytest

from portal.notify.models import DepartmentRobot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SECRET = "SECa1b2c3d4e5f6g7h8i9j0"
URL = "https://oapi.dingtalk.com/robot/send?access_token=abc"


def test_the_secret_is_shown_once_then_masked_and_kept(robots_page):
    app, client = robots_page.app, robots_page.admin
    saved = robots_page.save(kind="dingtalk", url=URL, secret=SECRET)
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert html.count(SECRET) == 1 and "只显示这一次" in html
    page = client.get("/admin/notifications/robots").get_data(as_text=True)
    assert SECRET not in page and "••••••j0" not in page and "••••••i9j0" in page
    # Saving again without typing the secret keeps it...
    again = robots_page.save(kind="dingtalk", url=URL, secret="")
    assert again.status_code == 303
    with app.app_context():
        assert DepartmentRobot.get().secret == SECRET
    # ...and removing it takes a deliberate tick.
    robots_page.save(kind="dingtalk", url=URL, clear_secret="1")
    with app.app_context():
        assert DepartmentRobot.get().secret == ""
