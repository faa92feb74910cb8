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


def test_the_notice_is_imported_from_the_page_with_per_line_errors(app, sign_in, demo):
    client = sign_in("admin")
    token = csrf_token(client, "/admin/calendar")
    bad = client.post("/admin/calendar/notice", data={"csrf_token": token,
                                                      "notice": "2027-01-01 元旦 休\n2027-02-30 春节 休\n"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "第 2 行" in text and "2027-02-30" in text and "第 1 行" not in text
    with app.app_context():
        assert is_workday(datetime.date(2027, 2, 1))
    good = client.post("/admin/calendar/notice", data={"csrf_token": token,
                                                       "notice": "2027-10-01~2027-10-07 国庆节 休\n2027-10-09 国庆节 班\n"})
    assert good.status_code == 303
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert page.count("国庆节") >= 8
    assert "<th scope=\"col\">名称</th>" in page and "<th scope=\"col\">姓名</th>" not in page
    with app.app_context():
        assert not is_workday(datetime.date(2027, 10, 4)) and is_workday(datetime.date(2027, 10, 9))
    assert sign_in("supervisor").post("/admin/calendar/notice", data={"notice": "2027-01-01 元旦 休"}).status_code == 403


def test_the_notice_is_imported_on_the_command_line(app, runner, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-01-01 元旦 休\n2027-02-07 春节 班\n", encoding="utf-8")
    result = runner.invoke(args=["calendar-import", str(notice)])
    assert result.exit_code == 0 and "2027: 2 days" in result.output, result.output
    notice.write_text("2027-01-01 元旦 休\n2027-13-01 x 休\n", encoding="utf-8")
    result = runner.invoke(args=["calendar-import", str(notice)])
    assert result.exit_code != 0 and ("line 2" in result.output or "第 2 行" in result.output)


def test_the_deadline_field_warns_of_a_year_without_holidays(app, sign_in, demo):
    """A deadline in a year nobody entered (2027 here) is warned about under the field, on the form and as
    the date changes; once the year's notice is imported the warning goes."""
    supervisor = sign_in("supervisor")
    warning = "2099 年的节假日安排尚未录入"
    assert warning in supervisor.get("/calendar/year-warning?deadline=2099-03-01").get_data(as_text=True)
    assert "alert" not in supervisor.get("/calendar/year-warning?deadline=nonsense").get_data(as_text=True)
    form = supervisor.get("/items/new").get_data(as_text=True)
    assert 'hx-get="/calendar/year-warning"' in form and 'id="deadline-year-warning"' in form
    admin = sign_in("admin")
    assert _notice(admin, "2099-01-01 元旦 休\n").status_code == 303
    assert "alert" not in supervisor.get("/calendar/year-warning?deadline=2099-03-01").get_data(as_text=True)


def _notice(client, text):
    return client.post("/admin/calendar/notice", data={"csrf_token": client.token, "notice": text}, csrf_header=False)
