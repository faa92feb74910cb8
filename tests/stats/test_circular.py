"""The circular (督查通报): a job with progress, owned by its user, a DOCX reopened with python-docx."""

import io
import re

import docx
import pytest
from docx.oxml.ns import qn
from redis import Redis
from rq import SimpleWorker

from tests.conftest import csrf_token, with_demo_people
from tests.servers import RedisServer

from .conftest import at, d

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def api_post(client, path, body):
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/")})


def reopen(client, download):
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    return docx.Document(io.BytesIO(response.get_data()))


def check_circular(document):
    """The circular's text (its print is tested in test_circular_print.py)."""
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "矿区办公室"  # the red head
    assert "关于2025年3月督查督办工作情况的通报" in text
    assert "共交办督办事项9项，办结5项" in text  # the summary: every department together
    assert "获评“骏马奖”" in text and "物业服务中心（76.1分）" in text and "文体新闻中心（72.2分）" in text
    (department,) = document.tables
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in department.rows}
    assert rows["物业服务中心"][1:6] == ["6", "4", "3", "75.0%", "1"]
    assert rows["部门"][:3] == ["部门", "交办", "办结"]
    assert "1.事项J（DB-" in text and "2.事项D（DB-" in text  # the overdue items, longest first
    # Chinese renders in Word and LibreOffice: the runs name an East Asian font.
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"


def test_a_leader_makes_the_circular_and_downloads_it(sign_in, in_april):
    client = sign_in("leader")
    response = api_post(client, "/api/v1/reports/circular", MARCH)
    assert response.status_code == 202
    job = response.get_json()["job"]
    state = client.get(f"/api/v1/jobs/{job}").get_json()  # without Redis the job ran at once
    assert state["state"] == "finished" and state["progress"] == 100
    assert state["result"]["overdue_items"] == 2 and state["download"].endswith(f"/reports/jobs/{job}/download")
    check_circular(reopen(client, state["download"]))


def test_the_page_starts_the_job_and_shows_its_progress_then_the_download(sign_in, in_april):
    client = sign_in("supervisor")
    stats = client.get("/stats?from=2025-03-01&to=2025-03-31").get_data(as_text=True)
    assert "/reports/circular?from=2025-03-01&amp;to=2025-03-31" in stats
    form = client.get("/reports/circular?from=2025-03-01&to=2025-03-31").get_data(as_text=True)
    assert 'value="2025-03-01"' in form
    response = client.post("/reports/circular", data={**MARCH, "csrf_token": csrf_token(client, "/reports/circular")})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/reports/jobs/\d+/download)"', page)
    assert link and "督查通报-2025-03-01-2025-03-31.docx" in page
    check_circular(reopen(client, link.group(1)))
    bad = client.post("/reports/circular", data={"from": "2025-03-31", "to": "2025-03-01",
                                                 "csrf_token": csrf_token(client, "/reports/circular")})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)


def test_the_form_previews_the_text_with_the_requirements_the_supervisor_wrote(sign_in, in_april):
    client = sign_in("supervisor")
    form = client.get("/reports/circular?from=2025-03-01&to=2025-03-31").get_data(as_text=True)
    assert "纳入年度考核" in form  # reports.requirements, the default to edit
    assert "关于2025年3月督查督办工作情况的通报" in form and "矿办督〔2025〕×号" in form  # numbered when made
    data = {**MARCH, "requirements": "请于4月20日前报送整改情况。", "action": "preview",
            "csrf_token": csrf_token(client, "/reports/circular")}
    # Without JavaScript: the whole page again, the preview in it; nothing started.
    page = client.post("/reports/circular", data=data)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "请于4月20日前报送整改情况。" in page.get_data(as_text=True)
    # With htmx: the preview alone.
    fragment = client.post("/reports/circular", data=data, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="circular-preview"' in fragment
    assert "请于4月20日前报送整改情况。" in fragment and "共交办督办事项9项" in fragment
    assert client.get("/api/v1/jobs/1").status_code == 404  # no job was made by previewing
    for requirements, message in (("   ", "请填写工作要求。"), ("字" * 2001, "最多 2000 个字符。")):
        bad = client.post("/reports/circular", data={**data, "requirements": requirements, "action": "make"})
        assert bad.status_code == 422 and message in bad.get_data(as_text=True)
    response = api_post(client, "/api/v1/reports/circular", {**MARCH, "requirements": ""})
    assert response.status_code == 422 and "requirements" in response.get_json()["error"]["fields"]


def test_a_job_belongs_to_its_user(app, sign_in, in_april):
    job = api_post(sign_in("leader"), "/api/v1/reports/circular", MARCH).get_json()["job"]
    other = sign_in("supervisor")
    assert other.get(f"/api/v1/jobs/{job}").status_code == 404
    assert other.get(f"/reports/jobs/{job}").status_code == 404
    assert other.get(f"/reports/jobs/{job}/download").status_code == 404
    assert other.get("/api/v1/jobs/999999").status_code == 404


@pytest.mark.parametrize("username", ["handler", "admin"])
def test_only_leaders_and_supervisors_make_circulars(sign_in, in_april, username):
    client = sign_in(username)
    assert api_post(client, "/api/v1/reports/circular", MARCH).status_code == 403
    assert client.get("/reports/circular").status_code == 403


def test_bad_periods_are_422_with_the_field(sign_in, in_april):
    response = api_post(sign_in("leader"), "/api/v1/reports/circular", {"from": "2025-02-30", "to": "2025-03-31"})
    assert response.status_code == 422 and "from" in response.get_json()["error"]["fields"]


@pytest.fixture(scope="module")
def own_redis():
    server = RedisServer().start()
    yield server
    server.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_with_redis_the_worker_makes_it_and_the_progress_follows(make_app, own_redis, sign_in):
    from portal import demo
    from portal.kernel.db import database

    from .conftest import People, build_history

    Redis.from_url(own_redis.url).flushall()
    app = make_app(stats={"min_items": 2}, workflow={"closure_requires_attachment": False},
                   redis={"url": own_redis.url})
    with app.app_context(), database.connection_context():
        demo.seed_people()
        build_history(People())
    with at(d(4, 10)):
        client = sign_in("leader", app=app)
        job = api_post(client, "/api/v1/reports/circular", MARCH).get_json()["job"]
        assert client.get(f"/api/v1/jobs/{job}").get_json()["state"] == "queued"
        page = client.get(f"/reports/jobs/{job}", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<progress" in page and 'hx-trigger="load delay:1s"' in page and "<html" not in page
        with app.app_context():
            SimpleWorker(["default"], connection=Redis.from_url(own_redis.url)).work(burst=True)
        state = client.get(f"/api/v1/jobs/{job}").get_json()
        assert state["state"] == "finished", state
        check_circular(reopen(client, state["download"]))
        page = client.get(f"/reports/jobs/{job}", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "hx-trigger" not in page and "download" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_queue_that_is_down_gives_a_clear_503_and_a_failed_job(make_app, sign_in):
    from portal.kernel.db import database
    from portal.reports.models import ReportJob
    from tests.servers import free_port

    app = with_demo_people(make_app(redis={"url": f"redis://127.0.0.1:{free_port()}/0"}))  # nothing listens there
    client = sign_in("leader", app=app)
    response = api_post(client, "/api/v1/reports/circular", MARCH)
    assert response.status_code == 503
    assert "任务队列暂不可用" in response.get_json()["error"]["message"]
    with app.app_context(), database.connection_context():
        assert [job.state for job in ReportJob.select()] == ["failed"]


def test_files_are_deleted_a_week_after_and_their_download_is_404(app, history, sign_in):
    with at(d(4, 10)):
        client = sign_in("leader")
        state = client.get(f"/api/v1/jobs/{api_post(client, '/api/v1/reports/circular', MARCH).get_json()['job']}")
        download = state.get_json()["download"]
        assert client.get(download).status_code == 200
    with at(d(4, 18)):
        client = sign_in("leader", new_session=True)
        api_post(client, "/api/v1/reports/circular", MARCH)  # the next job clears the old files
        gone = client.get(download)
        assert gone.status_code == 404 and "生成一周后删除" in gone.get_data(as_text=True)
