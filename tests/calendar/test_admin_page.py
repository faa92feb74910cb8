"""/admin/calendar: admins see the years entered, a warning for missing ones, edit days and import tables."""

import datetime
import io

from portal.calendar import is_workday
from portal.kernel.clock import local_today
from tests.conftest import csrf_token


def test_only_admins_reach_the_calendar(sign_in, demo):
    client = sign_in("supervisor")
    assert client.get("/admin/calendar").status_code == 403


def test_missing_years_are_warned_about_and_can_be_imported(app, sign_in, demo):
    client = sign_in("admin")
    this_year = local_today().year
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert page.count('class="alert alert-warning"') == 2 and str(this_year + 1) in page
    token = csrf_token(client, "/admin/calendar")
    table = f"date,workday,name\n{this_year}-10-01,0,国庆节\n{this_year + 1}-10-01,0,国庆节\n"
    response = client.post("/admin/calendar/import", data={"csrf_token": token, "table": table})
    assert response.status_code == 303
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "alert-warning" not in page and "国庆节" in page
    bad = client.post("/admin/calendar/import", data={
        "csrf_token": token, "file": (io.BytesIO("2027-02-30,0,x\n".encode()), "holidays.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "2027-02-30" in bad.get_data(as_text=True)


def test_a_day_is_added_and_removed_from_the_page(app, sign_in, demo):
    client = sign_in("admin")
    token = csrf_token(client, "/admin/calendar")
    monday = datetime.date(2030, 9, 30)
    response = client.post("/admin/calendar/days", data={"csrf_token": token, "day": monday.isoformat(),
                                                         "workday": "0", "name": "国庆节"})
    assert response.status_code == 303
    with app.app_context():
        from portal.kernel.db import database

        with database.connection_context():
            assert not is_workday(monday)
    page = client.get("/admin/calendar?year=2030").get_data(as_text=True)
    assert "<td>2030-09-30</td>" in page
    assert client.post("/admin/calendar/days", data={"csrf_token": token, "day": "30.9.2030",
                                                     "workday": "x"}).status_code == 422
    response = client.post(f"/admin/calendar/days/{monday.isoformat()}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert "<td>2030-09-30</td>" not in client.get("/admin/calendar?year=2030").get_data(as_text=True)
    assert client.post("/admin/calendar/years/2031/confirm", data={"csrf_token": token}).status_code == 303
    assert client.post("/admin/calendar/seed", data={"csrf_token": token}).status_code == 303
