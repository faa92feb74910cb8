"""A notification reaches only people who may still see its item when it is delivered."""

import pytest

from portal.db import database
from portal.notify import delivery
from portal.notify.models import Notification
from tests.notify.conftest import dispatch, make_item, notify_config, seed_people


def test_a_follower_who_lost_the_role_gets_nothing_more(make_app, smtp_server):
    from portal.auth.users import grant_override, revoke_override
    from portal.items.models import Follow

    app = make_app(**notify_config(smtp_server))
    with app.app_context(), database.connection_context():
        people = seed_people()
        catering = people["catering"]           # a handler of another department
        grant_override(catering, "leader")
        item = make_item(people, co=())         # led by property; catering has no part
        Follow.create(user=catering, item=item)
        revoke_override(catering, "leader")
        catering = type(catering).get_by_id(catering.id)
        dispatch(item, people["supervisor"], [people["handler"], catering])
        delivery.relay()
        assert [n.user.username for n in Notification.select()] == ["handler"]
    assert [m["to"] for m in smtp_server.messages] == [["handler@example.com"]]
