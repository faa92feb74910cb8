"""A leader opens /stats, starts the circular, watches its progress bar follow the job, and downloads it."""

import docx
import pytest
from playwright.sync_api import expect
from redis import Redis
from rq import SimpleWorker

from portal.kernel.db import database
from tests.servers import RedisServer

from .conftest import LiveServer


@pytest.fixture
def redis_url():
    server = RedisServer().start()
    yield server.url
    server.close()


@pytest.fixture
def live_server(make_app, redis_url):
    """The portal with a job queue on a real Redis (no worker yet: the test starts one)."""
    from portal import demo

    app = make_app(redis={"url": redis_url})
    with app.app_context(), database.connection_context():
        demo.seed_people()
    with LiveServer(app) as server:
        yield server


def test_the_progress_bar_follows_the_job_to_the_download(open_as, live_server, redis_url, tmp_path):
    leader = open_as("leader")
    leader.locator(".mainnav").get_by_role("link", name="统计").click()
    expect(leader.locator("h1")).to_have_text("统计与排名")
    expect(leader.locator("svg.chart-bars")).to_be_visible()
    expect(leader.locator("svg.chart-lines")).to_be_visible()
    leader.get_by_role("link", name="督查通报（DOCX）").click()
    leader.get_by_role("button", name="生成督查通报").click()

    # Queued: no worker runs yet, the bar is there and keeps asking.
    bar = leader.locator("progress.progress-bar")
    expect(bar).to_be_visible()
    expect(leader.locator(".job")).to_contain_text("排队中")
    leader.wait_for_timeout(1500)  # the bar polls at least once while the job waits
    expect(leader.locator(".job")).to_contain_text("排队中")
    with live_server.app.app_context():
        SimpleWorker(["default"], connection=Redis.from_url(redis_url)).work(burst=True)

    link = leader.get_by_role("link", name="下载 督查通报")
    expect(link).to_be_visible(timeout=15_000)
    with leader.expect_download() as download:
        link.click()
    path = tmp_path / "circular.docx"
    download.value.save_as(path)
    assert docx.Document(str(path)).paragraphs[0].text == "矿区办公室"
