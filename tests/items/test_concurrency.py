"""Concurrency: one of two simultaneous actions wins, numbers never repeat.

Numbering races on PostgreSQL only (SQLite serialises writers); the approval
race runs on both, so SQLite's writers are seen to queue rather than fail.
"""

import threading

import pytest

from portal.items import actions
from portal.items.models import Item, ItemEvent
from portal.kernel.db import database

from .conftest import act, attach, register


def race(app, count, work):
    """Run ``work(i)`` in ``count`` threads released together; return their results or exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        with app.app_context(), database.connection_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # the outcome under test
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_leaders_approving_at_once_write_one_event(app, people):
    item = act(people.supervisor, register(people.supervisor), "dispatch")
    item = act(people.handler, item, "accept")
    attach(people.handler, item)
    item = act(people.handler, item, "request_closure", comment="完成")
    item = act(people.supervisor, item, "review", decision="approve")
    leader_id, version = people.leader.id, item.version

    def approve(_):
        from portal.auth.models import User

        return actions.perform(User.get_by_id(leader_id), Item.get_by_id(item.id), "approve",
                                {"decision": "approve", "version": version})

    results = race(app, 2, approve)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ItemEvent"]
    assert ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "approve").count() == 1
    assert Item.get_by_id(item.id).state == "closed"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_numbers_stay_unique_when_registered_at_once(app, people):
    supervisor_id = people.supervisor.id

    def create(i):
        from portal.auth.models import User

        return register(User.get_by_id(supervisor_id), title=f"并发 {i}").number

    numbers = race(app, 8, create)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 8
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 9))
