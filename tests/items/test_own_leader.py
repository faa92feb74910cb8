"""Only an item's own leader (or the delegate an admin named) decides its extensions, approves its closure,
rates, cancels and reopens it; other leaders instruct, urge and follow. Each rater's score is kept; the
leader's stands as the item's. (Issue 10, finding 7: a second leader approved another's item.)"""

import datetime

import pytest

from portal.auth.users import create_user
from portal.items.delegations import end_delegation, name_delegate
from portal.items.models import Item, ItemEvent
from portal.items.workflow import available_actions
from portal.kernel.clock import local_today
from portal.kernel.errors import Forbidden, Invalid
from portal.notify.models import Outbox

from .conftest import act, attach, register

LATER = (local_today() + datetime.timedelta(days=60)).isoformat()


@pytest.fixture
def deputy(people):
    return create_user("deputy", ["leader"], password="deputy-pass", department_code="office", name="副主任")


def to_pending_approval(people):
    item = register(people.supervisor)
    item = act(people.supervisor, item, "dispatch")
    item = act(people.handler, item, "accept")
    attach(people.handler, item)
    item = act(people.handler, item, "request_closure", comment="已完成")
    return act(people.supervisor, item, "review", decision="approve")


def test_another_leader_cannot_approve_or_decide_but_may_instruct_and_urge(people, deputy):
    item = to_pending_approval(people)
    assert "approve" not in available_actions(item, deputy)
    with pytest.raises(Forbidden):
        act(deputy, item, "approve", decision="approve")
    assert Item.get_by_id(item.id).state == "pending_approval"
    act(deputy, item, "instruct", comment="请抓紧")

    other = act(people.handler, act(people.supervisor, register(people.supervisor), "dispatch"), "accept")
    act(deputy, other, "urge", comment="请加快")
    other = act(people.handler, other, "request_extension", new_deadline=LATER, comment="需要时间")
    assert "decide_extension" not in available_actions(other, deputy)
    with pytest.raises(Forbidden):
        act(deputy, other, "decide_extension", decision="approve", comment="同意")
    with pytest.raises(Forbidden):
        act(deputy, other, "cancel", comment="撤销")
    act(people.leader, other, "decide_extension", decision="approve", comment="同意")


def test_a_named_delegate_decides_for_the_leader_while_the_delegation_lasts(people, deputy):
    item = to_pending_approval(people)
    with pytest.raises(Invalid) as refused:
        name_delegate(people.admin, {"leader": "leader", "delegate": "leader",
                                     "ends": local_today().isoformat()})
    assert "delegate" in refused.value.fields
    delegation = name_delegate(people.admin, {"leader": "leader", "delegate": "deputy",
                                              "ends": (local_today() + datetime.timedelta(days=3)).isoformat()})
    fresh_deputy = type(deputy).get_by_id(deputy.id)
    assert "approve" in available_actions(item, fresh_deputy)
    item = act(fresh_deputy, item, "approve", decision="approve")
    assert item.state == "closed"

    # While it lasts the delegate also hears what waits for the leader.
    other = act(people.handler, act(people.supervisor, register(people.supervisor), "dispatch"), "accept")
    act(people.handler, other, "request_extension", new_deadline=LATER, comment="需要时间")
    assert {row.recipient_id for row in Outbox.select().where(Outbox.kind == "request_extension")} >= \
        {people.leader.id, deputy.id}
    # Ended: at once; a delegation planned ahead is removed.
    end_delegation(delegation.id)
    assert "decide_extension" not in available_actions(Item.get_by_id(other.id), type(deputy).get_by_id(deputy.id))
    planned = name_delegate(people.admin, {"leader": "leader", "delegate": "deputy",
                                           "starts": (local_today() + datetime.timedelta(days=5)).isoformat(),
                                           "ends": (local_today() + datetime.timedelta(days=9)).isoformat()})
    end_delegation(planned.id)
    assert type(planned).get_or_none(type(planned).id == planned.id) is None


def test_each_raters_score_is_kept_and_the_leaders_stands(people):
    item = to_pending_approval(people)
    item = act(people.leader, item, "approve", decision="approve")
    item = act(people.leader, item, "rate", score=5, comment="按期高质量完成")
    item = act(people.supervisor, item, "rate", score=3, comment="材料略有欠缺")
    assert item.score == 5
    ratings = [(e.actor.username, e.data["score"], e.data["rater_role"]) for e in
               ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "rate").order_by(ItemEvent.id)]
    assert ratings == [("leader", 5, "leader"), ("supervisor", 3, "supervisor")]


def test_a_supervisors_score_stands_until_the_leader_rates(people):
    item = act(people.leader, to_pending_approval(people), "approve", decision="approve")
    item = act(people.supervisor, item, "rate", score=4, comment="良好")
    assert item.score == 4
    item = act(people.leader, item, "rate", score=2, comment="质量一般")
    assert item.score == 2


def test_a_pending_extension_request_goes_with_the_work_it_was_for(people):
    from portal.items.models import ExtensionRequest

    item = act(people.handler, act(people.supervisor, register(people.supervisor), "dispatch"), "accept")
    item = act(people.handler, item, "request_extension", new_deadline=LATER, comment="需要时间")
    attach(people.handler, item)
    item = act(people.handler, item, "request_closure", comment="已完成")
    assert ExtensionRequest.get(ExtensionRequest.item == item.id).status == "withdrawn"
    item = act(people.supervisor, item, "review", decision="reject", comment="材料不全")
    assert "decide_extension" not in available_actions(item, people.leader)
