"""Delivery on every channel, each at most once: in-app, e-mail (real SMTP), group robots (real HTTP)."""

import pytest

from portal.auth.models import Department, User, UserRole
from portal.notify import delivery
from portal.notify.models import Delivery, DepartmentRobot, EmailPreference, Notification, Outbox
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people

# The first test runs on both databases (ON CONFLICT / INSERT OR IGNORE); the rest is channel logic.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def add_robot(code, kind, url):
    DepartmentRobot.create(department=Department.get(Department.code == code), kind=kind, url=url)


def test_a_dispatch_reaches_the_handler_in_app_by_mail_and_robot_once(make_app, smtp_server, robot_server):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        add_robot("property", "wecom", robot_server.url("/wecom"))
        item = make_item(people)
        dispatch(item, people["supervisor"], [people["handler"]])

        assert delivery.relay() == 1
        row = Outbox.get()
        assert row.status == "delivered" and row.delivered_at is not None
        # Running the job again (a retried or duplicated job) sends nothing more.
        assert delivery.deliver(row.id) is False
        assert delivery.relay() == 0

        notes = list(Notification.select())
        assert [(n.user_id, n.kind, n.title) for n in notes] == [
            (people["handler"].id, "dispatch", "DB-2026-0001 供暖接入市网")]
        assert notes[0].body == "请按期办理"

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["to"] == ["handler@example.com"]
    message = mail["message"]
    assert "DB-2026-0001" in message["Subject"] and "供暖接入市网" in message["Subject"]
    assert "督办" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "DB-2026-0001" in body and "供暖接入市网" in body
        assert "2026年12月31日" in body  # the deadline, in Chinese
        assert "https://duban.example.com/items/DB-2026-0001" in body
    assert "截止" in text or "期限" in text

    assert len(robot_server.received) == 1
    sent = robot_server.received[0]
    assert sent["path"] == "/wecom"
    assert sent["json"]["msgtype"] == "markdown"
    assert "DB-2026-0001" in sent["json"]["markdown"]["content"]


@SQLITE_ONLY
def test_each_robot_gets_its_own_format_once_per_department(make_app, robot_server):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        add_robot("property", "wecom", robot_server.url("/wecom"))
        add_robot("catering", "dingtalk", robot_server.url("/dingtalk"))
        add_robot("commute", "feishu", robot_server.url("/feishu"))
        # A second handler in the property department: the group chat still hears once.
        second = User.create(username="handler2", display_name="孙丽", department=people["handler"].department)
        UserRole.create(user=second, role="handler")
        item = make_item(people)
        dispatch(item, people["supervisor"], [people["handler"], second, people["catering"], people["commute"]])
        assert delivery.relay() == 4
        assert Notification.select().count() == 4
        assert Outbox.select().where(Outbox.status == "delivered").count() == 4

    by_path = {}
    for request in robot_server.received:
        by_path.setdefault(request["path"], []).append(request["json"])
    assert sorted(by_path) == ["/dingtalk", "/feishu", "/wecom"]
    assert all(len(bodies) == 1 for bodies in by_path.values())
    ding = by_path["/dingtalk"][0]
    assert ding["msgtype"] == "markdown" and "DB-2026-0001" in ding["markdown"]["text"]
    assert ding["markdown"]["title"]
    feishu = by_path["/feishu"][0]
    assert feishu["msg_type"] == "text" and "供暖接入市网" in feishu["content"]["text"]


def test_a_robot_refusal_is_retried_without_resending_the_mail(make_app, smtp_server, robot_server):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        add_robot("property", "feishu", robot_server.url("/feishu"))
        robot_server.answer = {"code": 19001, "msg": "param invalid"}
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        delivery.relay()
        row = Outbox.get()
        assert row.status == "queued" and "19001" in row.last_error
        assert Delivery.get(Delivery.channel == "robot").status == "failed"

        robot_server.answer = {"code": 0, "msg": "success"}
        Outbox.update(lease_until=None, status="pending").execute()  # as the relay does once the wait is over
        delivery.relay()
        assert Outbox.get().status == "delivered"
    assert len(smtp_server.messages) == 1
    assert Notification.select().count() == 1
    assert [r["json"]["msg_type"] for r in robot_server.received] == ["text", "text"]


@SQLITE_ONLY
def test_a_user_who_turned_mail_off_still_sees_it_in_the_portal(make_app, smtp_server):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        EmailPreference.create(user=people["handler"], kind="dispatch", email=False)
        item = make_item(people)
        dispatch(item, people["supervisor"], [people["handler"], people["catering"]])
        delivery.relay()
        assert Notification.select().count() == 2
    assert [m["to"] for m in smtp_server.messages] == [["catering@example.com"]]


@SQLITE_ONLY
def test_without_an_smtp_host_only_in_app_is_delivered(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        delivery.relay()
        assert Outbox.get().status == "delivered"
        assert Notification.select().count() == 1
        assert Delivery.select().count() == 0


@SQLITE_ONLY
def test_a_row_whose_every_attempt_was_interrupted_ends_failed_not_requeued_forever(make_app):
    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"]])
        # Three workers took it in turn and died before finishing (their leases ran out).
        Outbox.update(status="sending", attempts=3, lease_until=Outbox.created_at).execute()
        delivery.relay()
        row = Outbox.get()
        assert row.status == "failed" and "interrupted" in row.last_error
        assert delivery.relay() == 0


@SQLITE_ONLY
def test_signed_robots_carry_the_signature_their_platform_checks(make_app, robot_server):
    import base64
    import hashlib
    import hmac
    from urllib.parse import parse_qs, urlsplit

    app = make_app(**notify_config())
    with app.app_context():
        people = seed_people()
        add_robot("property", "dingtalk", robot_server.url("/robot/send?access_token=abc"))
        add_robot("catering", "feishu", robot_server.url("/hook/xyz"))
        DepartmentRobot.update(secret="SEC-ding").where(DepartmentRobot.kind == "dingtalk").execute()
        DepartmentRobot.update(secret="SEC-feishu").where(DepartmentRobot.kind == "feishu").execute()
        dispatch(make_item(people), people["supervisor"], [people["handler"], people["catering"]])
        assert delivery.relay() == 2
        assert Outbox.select().where(Outbox.status == "delivered").count() == 2

    def expected(key, message):
        return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()

    ding = next(r for r in robot_server.received if r["path"].startswith("/robot/send"))
    query = parse_qs(urlsplit(ding["path"]).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    assert query["sign"] == [expected("SEC-ding", f"{timestamp}\nSEC-ding")]
    feishu = next(r for r in robot_server.received if r["path"] == "/hook/xyz")["json"]
    assert feishu["msg_type"] == "text"
    assert feishu["sign"] == expected(f"{feishu['timestamp']}\nSEC-feishu", "")


@SQLITE_ONLY
def test_a_decision_is_spelled_out_in_the_mail(make_app, smtp_server):
    from portal.items.models import ItemEvent
    from portal.kernel.db import database
    from portal.notify.outbox import record

    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        item = make_item(people, state="closure_requested")
        with database.atomic():
            event = ItemEvent.create(item=item, actor=people["supervisor"], action="review",
                                     from_state="closure_requested", to_state="in_progress", comment="佐证不足")
            record(event, [people["handler"]], data={"decision": "reject"})
        delivery.relay()
    text = smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert "办结申请已审核" in text and "决定：未同意" in text and "意见：佐证不足" in text


@SQLITE_ONLY
def test_a_title_with_line_breaks_is_mailed_on_one_line_and_escaped_for_the_robots(make_app, smtp_server,
                                                                                     robot_server):
    """An item written before titles refused control characters still notifies (issue 10, finding 9)."""
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        add_robot("property", "wecom", robot_server.url("/wecom"))
        item = make_item(people, title="供暖\r\nBcc: x@evil.example\r\n[点我](http://evil.example)")
        dispatch(item, people["supervisor"], [people["handler"]])
        assert delivery.relay() == 1
        assert Outbox.get().status == "delivered"
    subject = smtp_server.messages[0]["message"]["Subject"]
    assert "\n" not in subject and "供暖 Bcc: x@evil.example" in subject
    assert smtp_server.messages[0]["to"] == ["handler@example.com"]
    content = robot_server.received[0]["json"]["markdown"]["content"]
    assert r"\[点我\]\(http://evil\.example\)" in content and "](http://evil" not in content


@SQLITE_ONLY
def test_a_fault_in_one_channel_does_not_keep_the_message_from_the_others(make_app, smtp_server):
    app = make_app(**notify_config(smtp_server))
    with app.app_context():
        people = seed_people()
        add_robot("property", "wecom", "http://[::1")  # an address no HTTP client can even parse
        item = make_item(people)
        dispatch(item, people["supervisor"], [people["handler"]])
        delivery.relay()
        row = Outbox.get()
        assert row.status == "queued" and "robot" in row.last_error
        assert Notification.select().count() == 1
    assert len(smtp_server.messages) == 1
