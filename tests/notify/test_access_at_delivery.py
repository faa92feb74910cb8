"""A notification reaches only people who may still see its item when it is delivered, and losing a
role ends one's follows of items one can no longer see."""

import pytest
from redis import Redis
from rq import SimpleWorker

from portal.auth.models import User
from portal.items.models import Follow
from portal.kernel.db import database
from portal.notify import delivery
from portal.notify.models import Delivery, Notification, Outbox
from tests.conftest import csrf_token
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people
from tests.notify.test_delivery import add_robot
from tests.servers import RedisServer


def followed_then_lost(people):
    """``catering`` (handler of another department) followed an item while holding an override as leader;
    an instruction was recorded for its followers; then the override was taken back."""
    from portal.auth.users import grant_override, revoke_override

    catering = people["catering"]
    grant_override(catering, "leader")
    item = make_item(people, co=())  # led by property; catering has no part in it
    Follow.create(user=catering, item=item)
    event = dispatch(item, people["leader"], [people["handler"], catering], comment="领导批示：本周内拿出方案")
    revoke_override(catering, "leader")
    return item, event


def test_inline_relay_withholds_it_on_every_channel(make_app, smtp_server, robot_server):
    app = make_app(**notify_config(smtp_server))
    with app.app_context(), database.connection_context():
        people = seed_people()
        add_robot("catering", "wecom", robot_server.url("/catering"))
        item, _event = followed_then_lost(people)
        assert Follow.select().count() == 0  # losing the role ended the follow
        delivery.relay()
        assert [n.user.username for n in Notification.select()] == ["handler"]
        withheld = Outbox.get(Outbox.recipient == people["catering"])
        assert withheld.status == "withheld" and withheld.delivered_at is not None
        assert Delivery.select().where(Delivery.outbox == withheld.id).count() == 0
    assert [m["to"] for m in smtp_server.messages] == [["handler@example.com"]]
    assert robot_server.received == []  # catering's group chat hears nothing either


@pytest.fixture(scope="module")
def own_redis():
    server = RedisServer().start()
    yield server
    server.close()


def test_the_worker_checks_access_when_it_delivers(make_app, own_redis, smtp_server):
    Redis.from_url(own_redis.url).flushall()
    app = make_app(redis={"url": own_redis.url}, **notify_config(smtp_server))
    with app.app_context(), database.connection_context():
        people = seed_people()
        followed_then_lost(people)
        assert delivery.relay() == 2
        SimpleWorker(["notify"], connection=Redis.from_url(own_redis.url)).work(burst=True)
        assert sorted((o.recipient.username, o.status) for o in Outbox.select()) == [
            ("catering", "withheld"), ("handler", "delivered")]
        assert [n.user.username for n in Notification.select()] == ["handler"]
    assert [m["to"] for m in smtp_server.messages] == [["handler@example.com"]]


def test_a_deactivated_recipient_gets_nothing(make_app, smtp_server):
    from portal.auth.users import deactivate

    app = make_app(**notify_config(smtp_server))
    with app.app_context(), database.connection_context():
        people = seed_people()
        dispatch(make_item(people), people["supervisor"], [people["handler"], people["catering"]])
        deactivate(User.get_by_id(people["catering"].id))
        delivery.relay()
        assert [n.user.username for n in Notification.select()] == ["handler"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_admin_taking_the_role_back_ends_follows_through_the_page(make_app, sign_in):
    app = make_app()
    with app.app_context(), database.connection_context():
        people = seed_people()
        seen = make_item(people, number="DB-2026-0001", co=("catering",))  # catering's own department's
        unseen = make_item(people, number="DB-2026-0002", co=())
        catering = people["catering"]
        from portal.auth.users import grant_override

        grant_override(catering, "supervisor")
        Follow.create(user=catering, item=seen)
        Follow.create(user=catering, item=unseen)
    admin = sign_in("admin", app=app)
    response = admin.post(f"/admin/users/{catering.id}/overrides/supervisor/delete",
                          data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert response.status_code in (200, 303)
    with app.app_context(), database.connection_context():
        assert [f.item.number for f in Follow.select()] == ["DB-2026-0001"]
