"""The leaders' weekly digest: what it says, delivered in-app and by e-mail through the outbox, archived,
one per leader and week (made again, by the command, by two makers at once on PostgreSQL), who reads it."""

import datetime
import threading
import time

import pytest

from portal.auth.models import User
from portal.auth.users import create_user
from portal.digests import services
from portal.digests.models import Digest
from portal.items.models import Item
from portal.kernel import hooks
from portal.kernel.clock import local_today
from portal.kernel.db import database
from portal.notify.delivery import relay
from portal.notify.models import Notification, Outbox
from tests.items.conftest import act, attach, register
from tests.notify.conftest import notify_config, seed_people


def _world():
    """Items of the leader: one changed this week, one red and overdue, one waiting for approval, one closed this
    week; and an item of another leader that must not appear."""
    people = seed_people()
    create_user("deputy", ["leader"], password="demo", department_code="office", name="副主任",
                email="deputy@example.com")
    supervisor, handler, leader = people["supervisor"], people["handler"], people["leader"]
    changed = act(supervisor, register(supervisor, title="供暖接入市网"), "dispatch")
    red = act(supervisor, register(supervisor, title="旧街区关闭"), "dispatch")
    Item.update(deadline=local_today() - datetime.timedelta(days=3)).where(Item.id == red.id).execute()
    waiting = act(handler, act(supervisor, register(supervisor, title="天然气接入"), "dispatch"), "accept")
    attach(handler, waiting)
    waiting = act(handler, waiting, "request_closure", comment="已完成")
    waiting = act(supervisor, waiting, "review", decision="approve")
    closed = act(handler, act(supervisor, register(supervisor, title="旧房出售"), "dispatch"), "accept")
    attach(handler, closed)
    closed = act(handler, closed, "request_closure", comment="已完成")
    closed = act(supervisor, closed, "review", decision="approve")
    closed = act(leader, closed, "approve", decision="approve")
    register(supervisor, title="别人的事项", leader="deputy")
    return {"changed": changed, "red": red, "waiting": waiting, "closed": closed}


@pytest.fixture
def mail_app(make_app, smtp_server, tmp_path):
    app = make_app(**notify_config(smtp_server))
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    return app


def test_each_leader_gets_one_digest_in_app_and_by_email(mail_app, smtp_server):
    week = services.week_key(local_today())
    next_monday = local_today() + datetime.timedelta(days=7 - local_today().weekday())
    with mail_app.test_request_context(), database.connection_context():
        items = _world()
        assert services.make(week, today=next_monday) == 2  # the leader and the deputy
        assert services.make(week, today=next_monday) == 0  # made again: nothing new
        digest = Digest.get(Digest.leader == User.get(User.username == "leader").id)
        sections = digest.sections
        numbers = {key: [row["number"] for row in section["rows"]] for key, section in sections.items()}
        assert set(numbers["changed"]) == {i.number for i in items.values()}
        assert numbers["red"] == [items["red"].number] and sections["red"]["rows"][0]["overdue"] is True
        assert numbers["decisions"] == [items["waiting"].number]
        assert numbers["closed"] == [items["closed"].number]
        assert "别人的事项" not in str(sections)
        assert digest.week == week and digest.period_start.weekday() == 0
        assert Outbox.select().where(Outbox.kind == "digest").count() == 2
        relay()
        notice = Notification.get(Notification.user == digest.leader_id, Notification.kind == "digest")
        assert notice.title == "每周汇报" and f"{week}" in notice.body and "红灯或逾期 1 项" in notice.body
    mails = [m for m in smtp_server.messages if m["to"] == ["leader@example.com"]
             and "每周汇报" in m["message"]["Subject"]]
    assert len(mails) == 1
    text = mails[0]["message"].get_body(("plain",)).get_content()
    assert "待您决定 1 项" in text and f"https://duban.example.com/digests/{digest.id}" in text


def test_the_digest_tells_the_week_in_sentences_and_lists_only_sections_with_something(mail_app, sign_in):
    """A report of the week, not the board again: sentences first, a heading only where there is something."""
    week = services.week_key(local_today())
    next_monday = local_today() + datetime.timedelta(days=7 - local_today().weekday())
    with mail_app.test_request_context(), database.connection_context():
        _world()
        services.make(week, today=next_monday)
        mine = Digest.get(Digest.leader == User.get(User.username == "leader").id)
        deputy = Digest.get(Digest.leader == User.get(User.username == "deputy").id)  # one draft registered
        before = services.week_key(local_today() - datetime.timedelta(days=14))
        services.make(before, today=next_monday)
        quiet = Digest.get(Digest.leader == deputy.leader_id, Digest.week == before)  # nothing at all
        relay()
        notice = Notification.get(Notification.user == mine.leader_id, Notification.kind == "digest")
        assert "本周新交办 4 项，办结 1 项，共 4 项有变化。" in notice.body
    page = sign_in("leader", app=mail_app).get(f"/digests/{mine.id}").get_data(as_text=True)
    report = page[page.index('class="digest-report"'):page.index("</div>", page.index('class="digest-report"'))]
    assert "<p>本周新交办 4 项，办结 1 项，共 4 项有变化。</p>" in report
    assert "<p>需要您关注：红灯或逾期 1 项，待您决定 1 项。</p>" in report
    assert page.index('class="digest-report"') < page.index('id="section-changed"') \
        < page.index('id="section-dispatched"') < page.index('id="section-red"') < page.index('id="section-closed"')
    assert 'id="section-dispatched"' in page and 'id="section-closed"' in page
    assert "(0)" not in page
    supervisor = sign_in("supervisor", app=mail_app)
    page = supervisor.get(f"/digests/{deputy.id}").get_data(as_text=True)
    assert "<p>本周共 1 项有变化。</p>" in page and 'id="section-changed"' in page
    assert not any(f'id="section-{key}"' in page for key in ("dispatched", "red", "decisions", "closed"))
    page = supervisor.get(f"/digests/{quiet.id}").get_data(as_text=True)
    assert "<p>本周您督办的事项没有变化。</p>" in page
    assert 'id="section-' not in page and "(0)" not in page and "需要您关注" not in page


def test_the_command_makes_a_given_week_once_and_refuses_a_bad_week(app, tmp_path):
    with app.test_request_context(), database.connection_context():
        seed_people()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["digest", "--week", "2026-W47"])
    assert first.exit_code == 0 and "digests: 1 new" in first.output, first.output
    again = runner.invoke(args=["digest", "--week", "2026-W47"])
    assert again.exit_code == 0 and "digests: 0 new" in again.output
    bad = runner.invoke(args=["digest", "--week", "2026-47"])
    assert bad.exit_code == 2 and "2026-W47" in bad.output
    unfinished = services.week_key(local_today())
    early = runner.invoke(args=["digest", "--week", unfinished])
    assert early.exit_code == 2 and "尚未结束" in early.output
    with app.app_context(), database.connection_context():
        digest = Digest.get()
        assert (digest.period_start, digest.period_end) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    default = runner.invoke(args=["digest"])
    assert default.exit_code == 0
    with app.app_context(), database.connection_context():
        assert Digest.select().where(Digest.week == services.last_week()).count() == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_makers_at_once_send_one_digest_per_leader(app):
    """Two workers (threads with their own connections) make the same week at the same instant."""
    with app.app_context(), database.connection_context():
        seed_people()
        for n in range(5):
            create_user(f"leader{n}", ["leader"], password="demo", department_code="office", name=f"领导{n}")
    start = threading.Barrier(2)
    results, errors = [], []
    original = services.sections_for

    def slow_sections(*args, **kwargs):
        sections = original(*args, **kwargs)
        time.sleep(0.05)  # both makers have read "no digest yet" before either writes
        return sections

    def maker():
        try:
            with app.app_context(), database.connection_context():
                start.wait()
                results.append(services.make("2026-W47"))
        except Exception as exc:  # reported below
            errors.append(exc)

    services.sections_for = slow_sections
    try:
        threads = [threading.Thread(target=maker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        services.sections_for = original
    assert not errors
    assert sum(results) == 6
    with app.app_context(), database.connection_context():
        assert Digest.select().count() == 6
        assert Outbox.select().where(Outbox.kind == "digest").count() == 6
        relay()
        assert Notification.select().where(Notification.kind == "digest").count() == 6


def test_who_reads_which_digest(app, sign_in):
    with app.test_request_context(), database.connection_context():
        seed_people()
        create_user("deputy", ["leader"], password="demo", department_code="office", name="副主任")
        services.make("2026-W47")
        mine = Digest.get(Digest.leader == User.get(User.username == "leader").id).id
        theirs = Digest.get(Digest.leader == User.get(User.username == "deputy").id).id

    leader = sign_in("leader")
    page = leader.get("/digests").get_data(as_text=True)
    assert f"/digests/{mine}" in page and f"/digests/{theirs}" not in page
    assert leader.get(f"/digests/{mine}").status_code == 200
    assert "王建国 的每周汇报（2026-W47）" in leader.get(f"/digests/{mine}").get_data(as_text=True)
    assert leader.get(f"/digests/{theirs}").status_code == 404
    assert [d["week"] for d in leader.get("/api/v1/digests").get_json()["digests"]] == ["2026-W47"]
    supervisor = sign_in("supervisor")
    assert len(supervisor.get("/api/v1/digests").get_json()["digests"]) == 2
    assert supervisor.get(f"/digests/{theirs}").status_code == 200
    handler = sign_in("handler")
    assert handler.get("/digests").status_code == 403 and handler.get("/api/v1/digests").status_code == 403
    assert handler.get(f"/digests/{mine}").status_code == 404
    assert app.test_client().get("/api/v1/digests").status_code == 401


def test_the_worker_schedules_the_digest_at_the_configured_local_time(monkeypatch):
    from worker.__main__ import digest_cron

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        base = {"app": {"timezone": "Asia/Shanghai"}}
        assert digest_cron({**base, "digest": {"weekday": "monday", "time": "08:30"}}) == "30 0 * * 1"
        # 03:00 on a Sunday in Shanghai is 19:00 on Saturday in UTC.
        assert digest_cron({**base, "digest": {"weekday": "sunday", "time": "03:00"}}) == "0 19 * * 6"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_registered_section_appears_in_the_digest(app, sign_in):
    """The hook the petitions feature uses (new petitions, hot issues) — here with a stand-in section."""
    calls = []

    def petitions(leader, start, end, today):
        calls.append((leader.username, start, end))
        return {"total": 3, "rows": [{"title": "三区供暖不热"}]}

    replaced = hooks.digest_sections.get("petitions")  # the petitions feature's own, put back after
    hooks.digest_sections.add("petitions", ("群众诉求", petitions, "leader"))
    try:
        with app.test_request_context(), database.connection_context():
            seed_people()
            services.make("2026-W47")
            digest = Digest.get()
        assert calls == [("leader", datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))]
        assert digest.sections["petitions"]["total"] == 3
        client = sign_in("leader", app=app)
        page = client.get(f"/digests/{digest.id}").get_data(as_text=True)
        assert "群众诉求" in page and "三区供暖不热" in page
    finally:
        hooks.digest_sections.add("petitions", replaced)


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of our own, so the queues hold only this test's jobs."""
    from tests.servers import RedisServer

    server = RedisServer().start()
    yield server
    server.close()


def test_the_weekly_job_runs_in_a_real_worker_twice_and_each_leader_hears_once(make_app, own_redis):
    from redis import Redis
    from rq import Queue, SimpleWorker

    Redis.from_url(own_redis.url).flushall()
    app = make_app(redis={"url": own_redis.url}, **notify_config())
    with app.app_context(), database.connection_context():
        seed_people()
    queue = Queue("default", connection=Redis.from_url(own_redis.url))
    first, second = queue.enqueue("portal.kernel.jobs.run", "digests.make"), queue.enqueue("portal.kernel.jobs.run", "digests.make")  # e.g. a retry
    with app.app_context():  # the jobs run in this app (as in the worker, which builds one and keeps it)
        SimpleWorker(["notify", "default"], connection=Redis.from_url(own_redis.url)).work(burst=True)
    assert (first.return_value(), second.return_value()) == (1, 0)
    with app.app_context(), database.connection_context():
        assert [d.week for d in Digest.select()] == [services.last_week()]
        notices = Notification.select().where(Notification.kind == "digest")
        assert [n.user.username for n in notices] == ["leader"]
