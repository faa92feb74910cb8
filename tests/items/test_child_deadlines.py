"""docs/items.md: a child's deadline is never after its parent's — not by an extension, not by editing the parent."""

import datetime

import pytest

from portal.items import services
from portal.items.models import ExtensionRequest, Item, ItemEvent
from portal.kernel.clock import local_today
from portal.kernel.errors import Invalid

from .conftest import act, register


def days(n):
    return (local_today() + datetime.timedelta(days=n)).isoformat()


def family(people):
    """A dispatched parent due in 20 days with an accepted child (property) due in 10."""
    parent = register(people.supervisor, lead_department="catering", co_departments=[], deadline=days(20))
    parent = act(people.supervisor, parent, "dispatch")
    child = services.add_child(people.supervisor, parent, {"title": "食堂燃气改造", "lead_department": "property",
                                                            "source_type": "meeting", "deadline": days(10)})
    child = act(people.supervisor, child, "dispatch")
    return parent, act(people.handler, child, "accept")


def test_an_extension_request_cannot_pass_the_parents_deadline(people):
    parent, child = family(people)
    with pytest.raises(Invalid) as refused:
        act(people.handler, child, "request_extension", new_deadline=days(25), comment="施工延期")
    assert "new_deadline" in refused.value.fields and days(20) in refused.value.fields["new_deadline"]
    assert not ExtensionRequest.select().where(ExtensionRequest.item == child.id).exists()
    act(people.handler, child, "request_extension", new_deadline=days(20), comment="施工延期")


def test_an_extension_is_not_approved_past_a_parent_deadline_moved_meanwhile(people):
    parent, child = family(people)
    child = act(people.handler, child, "request_extension", new_deadline=days(18), comment="施工延期")
    Item.update(deadline=local_today() + datetime.timedelta(days=15)).where(Item.id == parent.id).execute()
    with pytest.raises(Invalid) as refused:
        act(people.leader, child, "decide_extension", decision="approve", comment="同意")
    assert "new_deadline" in refused.value.fields
    child = Item.get_by_id(child.id)
    assert child.deadline.isoformat() == days(10) and child.extension_count == 0
    assert ExtensionRequest.get(ExtensionRequest.item == child.id).status == "pending"
    assert not ItemEvent.select().where(ItemEvent.item == child.id, ItemEvent.action == "decide_extension").exists()
    act(people.leader, child, "decide_extension", decision="reject", comment="不同意")


def test_a_parent_draft_cannot_move_before_its_childrens_deadlines(people):
    parent = register(people.supervisor, deadline=days(20))
    services.add_child(people.supervisor, parent, {"title": "子任务", "lead_department": "property",
                                                   "source_type": "meeting", "deadline": days(12)})
    with pytest.raises(Invalid) as refused:
        services.update_draft(people.supervisor, parent, {"version": parent.version, "deadline": days(11)})
    assert "deadline" in refused.value.fields and days(12) in refused.value.fields["deadline"]
    assert Item.get_by_id(parent.id).deadline.isoformat() == days(20)
    moved = services.update_draft(people.supervisor, parent, {"version": parent.version, "deadline": days(12)})
    assert moved.deadline.isoformat() == days(12)
