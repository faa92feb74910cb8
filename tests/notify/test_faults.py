"""Faults: Redis down while items are dispatched; a worker killed in the middle of a delivery.

Both run on PostgreSQL only: they are the slow ones (a real ``python -m worker``
process), and several workers against one PostgreSQL is the deployment they model.
"""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker

from portal.auth.models import Department, User
from portal.kernel.clock import local_today
from portal.notify import delivery
from portal.notify.models import Delivery, DepartmentRobot, Notification, Outbox
from tests.conftest import csrf_token
from tests.items.conftest import register
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people
from tests.servers import RedisServer
from worker.__main__ import SHUTDOWN_GRACE_SECONDS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.close()


def wait_until(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_redis_down_pages_work_rows_wait_and_are_delivered_when_it_is_back(make_app, own_redis, sign_in):
    app = make_app(redis={"url": own_redis.url}, **notify_config())
    with app.app_context():
        seed_people()
        item = register(User.get(User.username == "supervisor"), title="天然气接入", source_type="key_task",
                        level="important", deadline=(local_today() + datetime.timedelta(days=30)).isoformat())
    office, handler = sign_in("supervisor", app=app), sign_in("handler", app=app)

    own_redis.stop()
    token = csrf_token(office, f"/items/{item.number}")
    response = office.post(f"/items/{item.number}/actions/dispatch", data={"csrf_token": token,
                                                                          "version": item.version})
    assert response.status_code in (200, 303)
    response.close()  # the relay runs here and finds Redis down
    assert handler.get("/notifications").status_code == 200
    assert handler.get(f"/items/{item.number}").status_code == 200
    with app.app_context():
        rows = list(Outbox.select())
        assert len(rows) == 2 and {r.status for r in rows} == {"pending"}
        assert delivery.relay() == 0  # still down: still pending, nothing lost
        assert Outbox.select().where(Outbox.status == "pending").count() == 2

    own_redis.start()
    with app.app_context():
        assert delivery.relay() == 2
        SimpleWorker(["notify"], connection=Redis.from_url(own_redis.url)).work(burst=True)
        assert Outbox.select().where(Outbox.status == "delivered").count() == 2
        assert Notification.select().count() == 2
    assert "天然气接入" in handler.get("/notifications").get_data(as_text=True)


def write_config(path, database_url, redis_url, smtp_port):
    path.write_text(f"""
[app]
secret_key = "worker-test"
timezone = "Asia/Shanghai"
base_url = "https://duban.example.com/"
[database]
url = "{database_url}"
[redis]
url = "{redis_url}"
[mail]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "duban@example.com"
timeout_seconds = 20
[notify]
relay_interval_seconds = 1
lease_seconds = 4
retry_backoff_seconds = 0
robot_hosts = ["127.0.0.1"]
""", encoding="utf-8")


def kill_tree(pid):
    """SIGKILL ``pid`` and all its descendants at once, as a machine dying would.

    RQ's work horse runs in a session of its own, so killing the process group is not enough.
    """
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def start_worker(config, log):
    env = dict(os.environ, PORTAL_CONFIG=str(config), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_a_worker_killed_mid_delivery_leaves_it_to_another_exactly_once(
        make_app, database_url, own_redis, smtp_server, robot_server, tmp_path):
    app = make_app(redis={"url": own_redis.url}, **notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        DepartmentRobot.create(department=Department.get(Department.code == "property"), kind="wecom",
                               url=robot_server.url("/wecom"))
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
    config = tmp_path / "config.toml"
    write_config(config, database_url, own_redis.url, smtp_server.port)

    # The first worker sends the robot message, then stalls in the SMTP conversation
    # (before the mail is transferred) and is killed there, with all its processes.
    smtp_server.hold = threading.Event()
    hold = smtp_server.hold
    log = open(tmp_path / "worker.log", "w")
    first = start_worker(config, log)
    try:
        assert smtp_server.arrived.wait(60), (tmp_path / "worker.log").read_text()
        with app.app_context():
            assert Outbox.get().status == "sending"
            assert Notification.select().count() == 1
        assert len(robot_server.received) == 1
    finally:
        kill_tree(first.pid)
        first.wait(10)
        hold.set()
    assert smtp_server.messages == []

    second = start_worker(config, log)
    try:
        with app.app_context():
            wait_until(lambda: Outbox.get().status == "delivered", "the second worker to deliver")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        try:  # its warm shutdown is bounded (worker.SHUTDOWN_GRACE_SECONDS), however loaded the machine
            second.wait(SHUTDOWN_GRACE_SECONDS + 12)
        except subprocess.TimeoutExpired:
            raise AssertionError("the second worker did not stop within its grace period after SIGTERM:\n"
                                 + (tmp_path / "worker.log").read_text()[-3000:]) from None
        finally:
            log.close()
    assert len(smtp_server.messages) == 1
    assert len(robot_server.received) == 1
    with app.app_context():
        assert Notification.select().count() == 1
        assert Outbox.get().attempts == 2
        assert {d.channel: d.status for d in Delivery.select()} == {"email": "sent", "robot": "sent"}


def test_a_worker_stuck_in_a_job_stops_promptly_on_sigterm(make_app, database_url, own_redis, smtp_server,
                                                            tmp_path):
    """Issue 21: under load a worker took more than 20 s to stop. Its warm shutdown is bounded: a job
    stalled in the SMTP conversation (the server's timeout is 20 s here) is stopped after the grace period."""
    app = make_app(redis={"url": own_redis.url}, **notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
    config = tmp_path / "config.toml"
    write_config(config, database_url, own_redis.url, smtp_server.port)
    smtp_server.hold = threading.Event()
    hold = smtp_server.hold
    log = open(tmp_path / "worker.log", "w")
    worker = start_worker(config, log)
    try:
        assert smtp_server.arrived.wait(60), (tmp_path / "worker.log").read_text()
        started = time.monotonic()
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(SHUTDOWN_GRACE_SECONDS + 6)  # the grace period, and time to take the job down
        except subprocess.TimeoutExpired:
            raise AssertionError("the worker did not stop within its grace period after SIGTERM:\n"
                                 + (tmp_path / "worker.log").read_text()[-3000:]) from None
        assert time.monotonic() - started < SHUTDOWN_GRACE_SECONDS + 6
    finally:
        hold.set()
        kill_tree(worker.pid)
        log.close()
    with app.app_context():
        assert Outbox.get().status in ("sending", "queued", "pending")  # left to the next worker
