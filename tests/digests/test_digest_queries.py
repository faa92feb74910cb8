"""Making the leaders' digests is SQL per section for all leaders at once: its statements do not grow with the
leaders or their items, and each leader still gets exactly their own items, and the decisions of a leader
they stand in for today."""

import datetime

from portal.auth.users import create_user
from portal.digests import services
from portal.digests.models import Digest
from portal.items.models import Delegation, Item, ItemEvent
from portal.kernel import changes
from portal.kernel.clock import local_today
from portal.kernel.db import database
from portal.notify.models import Outbox
from tests.notify.conftest import make_item, seed_people
from tests.querycount import count_queries

WEEK = "2026-W47"
IN_THE_WEEK = datetime.datetime(2026, 11, 18, 3, 0)  # a Wednesday of that week, 11:00 in Shanghai


def _items_of(people, leader, count, first):
    """For ``leader``: ``count`` red items in progress (one changed in the week), one waiting for their approval
    and one closed in the week."""
    numbers = []
    for n in range(count + 2):
        number = f"DB-2026-{first + n:04d}"
        state = "in_progress" if n < count else ("pending_approval" if n == count else "closed")
        item = make_item(people, number, deadline=datetime.date(2026, 11, 1), state=state,
                         closed_at=IN_THE_WEEK if state == "closed" else None)
        Item.update(leader=leader).where(Item.id == item.id).execute()
        if n == 0:
            ItemEvent.create(item=item, actor=people["handler"], action="report", from_state="in_progress",
                             to_state="in_progress", created_at=IN_THE_WEEK)
        numbers.append(number)
    return numbers


def _made():
    """Make the week's digests counting the statements; then forget them, so that they can be made again."""
    with count_queries() as statements:
        made = services.make(WEEK)
    sections = {d.leader.username: d.sections for d in Digest.select()}
    Outbox.delete().where(Outbox.kind == services.KIND).execute()
    Digest.delete().execute()
    return made, len(statements), sections


def test_the_statements_do_not_grow_with_leaders_or_items(app):
    with app.test_request_context(), database.connection_context():
        people = seed_people()
        _items_of(people, people["leader"], 2, first=1)
        changes.bump()  # the counter row exists, as it does after the first change of any portal
        made, few, _sections = _made()
        assert made == 1
        for n in range(5):
            leader = create_user(f"leader{n}", ["leader"], password="demo", department_code="office",
                                 name=f"领导{n}")
            _items_of(people, leader, 30, first=100 * (n + 1))
        made, many, sections = _made()
        assert made == 6
        assert many == few
        assert sections["leader3"]["red"]["total"] == 31  # 30 in progress and the one waiting for approval
        assert len(sections["leader3"]["red"]["rows"]) == services.ROWS
        assert sections["leader"]["red"]["total"] == 3


def test_each_leader_hears_of_their_own_items_and_of_those_they_decide_for_today(app):
    with app.test_request_context(), database.connection_context():
        people = seed_people()
        deputy = create_user("deputy", ["leader"], password="demo", department_code="office", name="副主任")
        leaders = _items_of(people, people["leader"], 1, first=1)
        deputys = _items_of(people, deputy, 1, first=10)
        unassigned = make_item(people, "DB-2026-0020", deadline=datetime.date(2026, 11, 1), state="pending_approval")
        Item.update(leader=None).where(Item.id == unassigned.id).execute()
        today = local_today()
        Delegation.create(leader=people["leader"], delegate=deputy, starts=today - datetime.timedelta(days=1),
                          ends=today + datetime.timedelta(days=1))
        assert services.make(WEEK) == 2
        sections = {d.leader.username: d.sections for d in Digest.select()}

    def numbers(username, key):
        return [row["number"] for row in sections[username][key]["rows"]]

    # Ordered by deadline, then as registered; the overdue flag as the item page shows it.
    assert numbers("leader", "changed") == [leaders[0]] and numbers("deputy", "changed") == [deputys[0]]
    assert numbers("leader", "red") == leaders[:2] and numbers("deputy", "red") == deputys[:2]
    assert sections["leader"]["red"]["rows"][0]["overdue"] is True
    assert numbers("leader", "closed") == [leaders[2]] and numbers("deputy", "closed") == [deputys[2]]
    # The deputy stands in for the leader today: the leader's decision waits for both; nobody's waits for all.
    assert numbers("leader", "decisions") == [leaders[1], "DB-2026-0020"]
    assert numbers("deputy", "decisions") == [leaders[1], deputys[1], "DB-2026-0020"]
    assert sections["deputy"]["decisions"]["total"] == 3
