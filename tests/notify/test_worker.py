"""Delivery through real Redis and real RQ workers: relay, retries with backoff, failure and admin retry."""

import datetime
import threading

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from portal.kernel.db import database
from portal.notify import delivery
from portal.notify.models import Delivery, Notification, Outbox
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people
from tests.servers import RedisServer

QUEUES = ["notify", "default"]


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of our own, so the queues hold only this test's jobs (and can be stopped)."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_url(own_redis):
    if own_redis.proc is None:
        own_redis.start()
    Redis.from_url(own_redis.url).flushall()
    return own_redis.url


def run_worker(url):
    """A real RQ worker in this process, until the queues are empty."""
    worker = SimpleWorker(QUEUES, connection=Redis.from_url(url))
    worker.work(burst=True)


def queued(url):
    return Queue("notify", connection=Redis.from_url(url)).count


def test_the_relay_queues_each_row_once_and_the_worker_delivers_it(make_app, redis_url, smtp_server):
    app = make_app(redis={"url": redis_url}, **notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        item = make_item(people)
        dispatch(item, people["supervisor"], [people["handler"], people["catering"], people["commute"]])
        assert Outbox.select().where(Outbox.status == "pending").count() == 3

        assert delivery.relay() == 3
        assert delivery.relay() == 0  # a second relay finds nothing left to claim
        assert queued(redis_url) == 3
        assert Notification.select().count() == 0  # not before a worker ran

        run_worker(redis_url)
        assert Outbox.select().where(Outbox.status == "delivered").count() == 3
        assert Notification.select().count() == 3
    assert sorted(m["to"][0] for m in smtp_server.messages) == [
        "catering@example.com", "commute@example.com", "handler@example.com"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_relays_never_queue_a_row_twice(make_app, redis_url):
    """Two relays racing on PostgreSQL (row locks) split the rows between them."""
    app = make_app(redis={"url": redis_url}, **notify_config())
    with app.app_context():
        people = seed_people()
        for n in range(40):
            dispatch(make_item(people, number=f"DB-2026-{n + 1:04d}"), people["supervisor"],
                     [people["handler"], people["catering"], people["commute"]])

    taken = []

    def relay():
        with app.app_context(), database.connection_context():
            taken.append(delivery.relay())

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 120
    assert queued(redis_url) == 120


def test_smtp_refusing_retries_then_fails_then_an_admin_retry_delivers(make_app, redis_url, smtp_server, sign_in):
    app = make_app(redis={"url": redis_url}, **notify_config(smtp_server))
    smtp_server.refuse = True
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        delivery.relay()
        run_worker(redis_url)  # the job and its two RQ retries
        row = Outbox.get()
        assert (row.status, row.attempts) == ("failed", 3)
        assert "451" in row.last_error
        email = Delivery.get(Delivery.channel == "email")
        assert email.status == "failed" and email.attempts == 3
        # In-app was delivered at the first attempt, and only once.
        assert Notification.select().count() == 1
    assert smtp_server.messages == []

    from tests.conftest import csrf_token

    client = sign_in("admin", app=app)
    page = client.get("/admin/notifications")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "451" in text and "DB-2026-0001" in text and "handler@example.com" in text

    smtp_server.refuse = False
    token = csrf_token(client, "/admin/notifications")
    response = client.post(f"/admin/notifications/{row.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    response.close()  # as every WSGI server does once the response is sent
    assert queued(redis_url) == 1  # relayed as soon as the response went out
    with app.app_context():
        run_worker(redis_url)
        assert Outbox.get().status == "delivered"
        assert Notification.select().count() == 1
    assert len(smtp_server.messages) == 1
    assert "451" not in client.get("/admin/notifications").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_admins_see_the_failures_page(make_app, redis_url, sign_in):
    app = make_app(**notify_config())
    with app.app_context():
        seed_people()
    client = sign_in("handler", app=app)
    assert client.get("/admin/notifications").status_code == 403
    assert client.get("/admin/notifications/robots").status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_daily_reminder_job_runs_in_a_worker_and_queues_its_reminders(make_app, redis_url):
    from portal.calendar.services import set_day
    from portal.kernel.clock import local_today

    app = make_app(redis={"url": redis_url}, **notify_config())
    with app.app_context():
        people = seed_people()
        today = local_today()
        set_day(today, workday=True, name="")  # whatever day the suite runs on, a working day
        make_item(people, deadline=today - datetime.timedelta(days=1))
        job = Queue("default", connection=Redis.from_url(redis_url)).enqueue("portal.kernel.jobs.run", "notify.remind")
        run_worker(redis_url)
        assert job.return_value()["reminder_overdue"] == 2
        assert Outbox.select().where(Outbox.status == "delivered").count() == 2
        assert sorted(n.user.username for n in Notification.select()) == ["handler", "supervisor"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_nightly_directory_sync_runs_as_a_worker_job(make_app, redis_url):
    from portal.auth.models import User
    from tests import servers
    from tests.auth.conftest import LDIF, ldap_settings

    directory = servers.start_slapd(LDIF)
    try:
        app = make_app(redis={"url": redis_url},
                       auth={"backends": ["ldap"], "ldap": ldap_settings(directory.ldap_uri)})
        with app.app_context():
            job = Queue("default", connection=Redis.from_url(redis_url)).enqueue("portal.kernel.jobs.run", "auth.ldap_sync")
            run_worker(redis_url)
            assert any("lixy: created" in line for line in job.return_value())
            assert User.get(User.username == "lixy").has_role("supervisor")
    finally:
        directory.stop()
