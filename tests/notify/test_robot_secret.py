"""A robot's signing secret is shown once, when an admin saves it; afterwards the page shows it masked."""

import pytest

from portal.auth.models import Department
from portal.notify.models import DepartmentRobot
from tests.conftest import csrf_token
from tests.notify.conftest import notify_config, seed_people

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SECRET = "SECa1b2c3d4e5f6g7h8i9j0"
URL = "https://oapi.dingtalk.com/robot/send?access_token=abc"


def test_the_secret_is_shown_once_then_masked_and_kept(make_app, sign_in):
    app = make_app(**notify_config())
    with app.app_context():
        seed_people()
        property_id = Department.get(Department.code == "property").id
    client = sign_in("admin", app=app)
    token = csrf_token(client, "/admin/notifications/robots")
    saved = client.post("/admin/notifications/robots", data={"csrf_token": token, "department": property_id,
                                                             "kind": "dingtalk", "url": URL, "secret": SECRET})
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert html.count(SECRET) == 1 and "只显示这一次" in html
    page = client.get("/admin/notifications/robots").get_data(as_text=True)
    assert SECRET not in page and "••••••j0" not in page and "••••••i9j0" in page
    # Saving again without typing the secret keeps it...
    again = client.post("/admin/notifications/robots", data={"csrf_token": token, "department": property_id,
                                                             "kind": "dingtalk", "url": URL, "secret": ""})
    assert again.status_code == 303
    with app.app_context():
        assert DepartmentRobot.get().secret == SECRET
    # ...and removing it takes a deliberate tick.
    client.post("/admin/notifications/robots", data={"csrf_token": token, "department": property_id,
                                                     "kind": "dingtalk", "url": URL, "clear_secret": "1"})
    with app.app_context():
        assert DepartmentRobot.get().secret == ""
