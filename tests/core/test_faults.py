"""Faults the portal must survive: PostgreSQL restarted under load, the uploads disk full.

(Redis down, SMTP and robots refusing: tests/notify/test_faults.py, test_worker.py, test_delivery.py;
the directory down: tests/auth/test_failover.py.)
"""

import contextlib
import io
import subprocess
import threading
import time
import uuid

import pytest

from portal import create_app, demo as demo_module
from portal.auth.models import User
from portal.items.models import Attachment, Item, ItemEvent
from portal.kernel.db import database
from portal.migrations import upgrade
from tests.conftest import csrf_token
from tests.items.conftest import act, register
from tests.servers import PostgresServer


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own: it is stopped and started again under load."""
    server = PostgresServer().start()
    server.execute("CREATE DATABASE portal")
    yield server
    with contextlib.suppress(Exception):
        database.close()
    server.stop()


def portal_on(url, tmp_path, pool_size):
    app = create_app({"app": {"secret_key": "test-secret", "demo": False},
                      "database": {"url": url, "pool_size": pool_size},
                      "uploads": {"folder": str(tmp_path / "uploads")}})
    app.config.update(TESTING=True)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context(), database.connection_context():
        upgrade()
    with app.test_request_context(), database.connection_context():
        demo_module.seed_people()
        supervisor, handler = (User.get(User.username == name) for name in ("supervisor", "handler"))
        numbers = [act(handler, act(supervisor, register(supervisor, title=f"重启事项 {i}"), "dispatch"),
                       "accept").number for i in range(2)]
    return app, numbers


def is_clean_failure(response, api):
    """A 500 or 503 the portal wrote itself: its JSON error for the API, its error page otherwise."""
    if response.status_code not in (500, 503):
        return False
    if api:
        body = response.get_json(silent=True) or {}
        return set(body.get("error", {})) == {"code", "message", "fields"}
    page = response.get_data(as_text=True)
    return 'class="error-page"' in page and "Traceback" not in page


@pytest.mark.parametrize("pool_size", [10, 0], ids=["pooled", "unpooled"])
def test_postgresql_restarted_under_load_fails_cleanly_and_recovers_without_a_restart(own_postgres, tmp_path,
                                                                                      pool_size, sign_in):
    app, numbers = portal_on(own_postgres.url("portal"), tmp_path, pool_size)
    handler, page = sign_in("handler", app=app), sign_in("supervisor", app=app)
    log, stop, lock = [], threading.Event(), threading.Lock()

    def load(worker):
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            number = numbers[n % 2]
            kind = (n + worker) % 3
            if kind == 0:
                response, api = handler.get("/api/v1/items?per_page=50"), True
            elif kind == 1:
                response, api = page.get(f"/items/{number}"), False
            else:
                item = handler.get(f"/api/v1/items/{number}")
                if item.status_code != 200:
                    response, api = item, True
                else:
                    response, api = handler.post(f"/api/v1/items/{number}/actions/report", json={
                        "version": item.get_json()["version"], "progress": n % 100, "comment": f"重启 {worker}-{n}"}), True
            with lock:
                log.append((started, time.monotonic(), kind, response.status_code, api,
                            response.status_code < 400 or response.status_code == 409
                            or is_clean_failure(response, api)))
            time.sleep(0.01)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        stopping_at = time.monotonic()
        own_postgres.pause()
        down_at = time.monotonic()  # from here until resuming_at nothing can reach the database
        time.sleep(2)
        resuming_at = time.monotonic()
        own_postgres.resume()
        up_at = time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                if sum(1 for entry in log if entry[0] > up_at) >= 30:
                    break
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)

    before = [e for e in log if e[1] < stopping_at]
    outage = [e for e in log if down_at < e[0] and e[1] < resuming_at]
    after = [e for e in log if e[0] > up_at]
    assert before and all(e[3] in (200, 409) for e in before)
    assert outage, "no request was made while PostgreSQL was down"
    assert all(e[5] for e in log), [e for e in log if not e[5]][:5]  # never a raw crash, whatever the moment
    assert any(e[3] in (500, 503) for e in outage), "the outage went unseen"
    assert {e[3] for e in outage} <= {503}, "an unreachable database is 503, not a 500"
    assert len(after) >= 30 and all(e[3] in (200, 409) for e in after), [e[2:5] for e in after if e[3] >= 400]

    # A quiet restart (at night, say): connections pooled before it are not handed out dead after it.
    assert handler.get("/api/v1/items").status_code == 200 and page.get(f"/items/{numbers[0]}").status_code == 200
    own_postgres.pause()
    own_postgres.resume()
    assert [handler.get("/api/v1/items").status_code for _ in range(3)] == [200, 200, 200]
    assert page.get(f"/items/{numbers[0]}").status_code == 200

    # Nothing half-written: each item's events chain from state to state and end in its state.
    with app.app_context(), database.connection_context():
        for number in numbers:
            item = Item.get(Item.number == number)
            state = None
            for event in ItemEvent.select().where(ItemEvent.item == item.id).order_by(ItemEvent.id):
                assert event.from_state == state
                state = event.to_state
            assert state == item.state == "in_progress"


# --- a full disk --------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 512 KiB tmpfs mounted as the uploads folder (needs root, as in CI)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def _store(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_full_disk_refuses_the_upload_clearly_and_leaves_nothing_behind(make_app, small_disk, caplog, sign_in):
    app = make_app(uploads={"folder": str(small_disk)})
    with app.test_request_context(), database.connection_context():
        demo_module.seed_people()
        supervisor, handler = (User.get(User.username == name) for name in ("supervisor", "handler"))
        number = act(handler, act(supervisor, register(supervisor), "dispatch"), "accept").number
    api = sign_in("handler", app=app)
    small = api.post(f"/api/v1/items/{number}/attachments",
                     data={"file": (io.BytesIO(b"%PDF-1.4 small"), "小.pdf")})
    assert small.status_code == 201
    stored = _store(small_disk)

    big = b"%PDF-1.4 " + uuid.uuid4().bytes * 40000  # 640 KB: more than the disk holds
    response = api.post(f"/api/v1/items/{number}/attachments",
                        data={"file": (io.BytesIO(big), "大.pdf")})
    assert response.status_code == 507
    error = response.get_json()["error"]
    assert error["code"] == "insufficient_storage" and "稍后再试" in error["fields"]["file"]
    assert "no room for an upload" in caplog.text  # the administrators' log says why

    # The same through the action form with its evidence file: the message beside the file field.
    page = sign_in("handler", app=app, new_session=True)  # a browser beside the API client
    with app.app_context(), database.connection_context():
        version = Item.get(Item.number == number).version
    form = page.post(f"/items/{number}/actions/report", headers={"HX-Request": "true"}, data={
        "version": str(version), "progress": "50", "comment": "进展", "csrf_token": csrf_token(page, "/"),
        "file": (io.BytesIO(big), "佐证.pdf")})
    assert form.status_code == 422
    assert 'id="report-file-error"' in form.get_data(as_text=True)
    assert "稍后再试" in form.get_data(as_text=True)

    # Nothing half-written, no row without its file, and the room is free again.
    assert _store(small_disk) == stored
    with app.app_context(), database.connection_context():
        item = Item.get(Item.number == number)
        assert Attachment.select().where(Attachment.item == item.id).count() == 1
        assert [e.action for e in ItemEvent.select().where(ItemEvent.item == item.id)
                .order_by(ItemEvent.id)] == ["create", "dispatch", "accept", "attach"]
        assert item.version == version
    again = api.post(f"/api/v1/items/{number}/attachments",
                     data={"file": (io.BytesIO(b"%PDF-1.4 " + b"x" * 300_000), "中.pdf")})
    assert again.status_code == 201
