"""Real headless Chromium (Debian's) against the portal served live on a free port.

The server runs in a thread on a temporary SQLite database with the demo
accounts; each user gets their own browser context (own cookies). When a test
fails, every page it opened is saved as a screenshot under test-artifacts/.
"""

import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from portal.kernel.db import database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Debian's package; on Ubuntu the snap's /snap/bin/chromium, found on PATH.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

expect.set_options(timeout=10_000)


@pytest.fixture
def database_url(tmp_path):
    """Browser tests run on SQLite only: they test pages, which are the same on both databases."""
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


def serve(app, seed):
    """``seed()`` run on ``app``'s database, then ``app`` served on a free port: a LiveServer to enter."""
    with app.app_context(), database.connection_context():
        seed()
    return LiveServer(app)


@pytest.fixture
def live_server(make_app):
    """The portal with the demo accounts (no demo items), served on a free port; ``.url`` is its base URL."""
    from portal import demo

    with serve(make_app(), demo.seed_people) as server:
        yield server


@pytest.fixture
def open_as(browser, live_server, request):
    """``open_as(username, javascript=True)``: a signed-in page in the user's own browser context.

    Any Content-Security-Policy violation reported by a page fails the test.
    """
    contexts = []
    violations = []

    def factory(username, javascript=True):
        context = browser.new_context(java_script_enabled=javascript, locale="zh-CN",
                                      viewport={"width": 1280, "height": 900})
        contexts.append((username, context))
        page = context.new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(f"{live_server.url}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("demo")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield factory
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for username, context in contexts:
            for index, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{username}-{index}.png"),
                                full_page=True)
    for _, context in contexts:
        context.close()
    assert not violations, f"the pages broke the Content-Security-Policy: {violations}"
