"""The details offices ask for (docs/items.md): numbers, deadlines, returns, late flags, extensions, evidence,
children, urging, the version lock and who is notified."""

import datetime

import pytest

from portal.calendar import add_working_days
from portal.items import actions, queries, services
from portal.items.models import ExtensionRequest, Item, ItemEvent
from portal.kernel.clock import local_today
from portal.kernel.errors import Conflict, Forbidden, Invalid
from portal.notify.models import Outbox

from .conftest import act, attach, register

TODAY = local_today()


def days(n):
    return (TODAY + datetime.timedelta(days=n)).isoformat()


def started(people, **fields):
    item = register(people.supervisor, **fields)
    item = act(people.supervisor, item, "dispatch")
    return act(people.handler, item, "accept")


def notified(item, action):
    event = ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == action) \
        .order_by(ItemEvent.id.desc()).first()
    return sorted(o.recipient.username for o in Outbox.select().where(Outbox.event == event))


def test_numbers_count_up_per_year(people):
    first, second = register(people.supervisor), register(people.supervisor)
    assert first.number == f"DB-{TODAY.year}-0001" and second.number == f"DB-{TODAY.year}-0002"


def test_registration_needs_a_supervisor_and_valid_fields(people):
    with pytest.raises(Forbidden):
        register(people.handler)
    with pytest.raises(Invalid) as err:
        services.create_item(people.supervisor, {"title": " ", "source_type": "rumour", "lead_department": "nope",
                                                 "co_departments": ["property", "ghost"], "leader": "handler",
                                                 "deadline": "2020-01-01", "feedback_cycle_days": "x"})
    assert set(err.value.fields) == {"title", "source_type", "lead_department", "co_departments", "leader",
                                     "deadline", "feedback_cycle_days"}
    with pytest.raises(Invalid) as err:
        register(people.supervisor, co_departments=["property"])
    assert "co_departments" in err.value.fields


def test_default_deadline_depends_on_the_source(people):
    item = register(people.supervisor, source_type="instruction", deadline=None)
    assert item.deadline == TODAY + datetime.timedelta(days=15)
    assert services.default_deadline("meeting", TODAY) == TODAY + datetime.timedelta(days=20)
    assert services.default_deadline("petition", TODAY) == TODAY + datetime.timedelta(days=30)


def test_drafts_are_edited_with_the_current_version(people):
    item = register(people.supervisor)
    changed = services.update_draft(people.supervisor, item, {"version": 1, "title": "旧街区关闭",
                                                              "co_departments": []})
    assert (changed.title, changed.version, changed.co_department_rows.count()) == ("旧街区关闭", 2, 0)
    with pytest.raises(Conflict):
        services.update_draft(people.supervisor, changed, {"version": 1, "title": "stale"})
    with pytest.raises(Invalid):
        services.update_draft(people.supervisor, changed, {"title": "no version"})
    act(people.supervisor, changed, "dispatch")
    with pytest.raises(Conflict):
        services.update_draft(people.supervisor, Item.get_by_id(item.id), {"version": 3, "title": "late"})


def test_a_stale_version_changes_nothing(people):
    item = started(people)
    with pytest.raises(Conflict):
        act(people.handler, item, "report", comment="x", progress=10, version=item.version - 1)
    with pytest.raises(Invalid) as err:
        actions.perform(people.handler, item, "report", {"comment": "x", "progress": 10})
    assert "version" in err.value.fields
    assert ItemEvent.select().where(ItemEvent.action == "report").count() == 0


def test_a_return_needs_a_reason_and_counts(people):
    item = act(people.supervisor, register(people.supervisor), "dispatch")
    with pytest.raises(Invalid) as err:
        act(people.handler, item, "return", reason="lazy", comment="")
    assert set(err.value.fields) == {"reason", "comment"}
    item = act(people.handler, item, "return", reason="needs_coordination", comment="需餐饮中心牵头")
    assert (item.state, item.return_count) == ("returned", 1)
    assert notified(item, "return") == ["supervisor"]
    item = act(people.supervisor, item, "dispatch")
    assert item.state == "dispatched"


def test_a_late_signature_is_flagged(people):
    item = act(people.supervisor, register(people.supervisor), "dispatch")
    assert item.accept_due == add_working_days(TODAY, 2)
    Item.update(accept_due=TODAY - datetime.timedelta(days=1)).where(Item.id == item.id).execute()
    item = act(people.handler, item, "accept")
    assert item.accepted_late


def test_late_feedback_is_counted_and_the_next_due_date_moves(people):
    item = started(people, feedback_cycle_days=7)
    assert item.next_feedback_due == TODAY + datetime.timedelta(days=7)
    Item.update(next_feedback_due=TODAY - datetime.timedelta(days=1)).where(Item.id == item.id).execute()
    item = act(people.catering, item, "report", comment="协办进展", progress=30)
    assert (item.late_feedback_count, item.progress) == (1, 30)
    assert item.next_feedback_due == TODAY + datetime.timedelta(days=7)
    with pytest.raises(Invalid) as err:
        act(people.handler, item, "report", comment="x", progress=101)
    assert "progress" in err.value.fields


def test_extensions_come_before_the_deadline_one_at_a_time_and_are_counted(people):
    item = started(people)
    with pytest.raises(Invalid) as err:
        act(people.handler, item, "request_extension", new_deadline=item.deadline.isoformat(), comment="x")
    assert "new_deadline" in err.value.fields
    item = act(people.handler, item, "request_extension", new_deadline=days(40), comment="天然气管线施工")
    assert notified(item, "request_extension") == ["leader"]
    with pytest.raises(Conflict):
        act(people.handler, item, "request_extension", new_deadline=days(50), comment="again")
    item = act(people.leader, item, "decide_extension", decision="approve", comment="同意")
    assert (item.deadline, item.extension_count) == (TODAY + datetime.timedelta(days=40), 1)
    assert sorted(notified(item, "decide_extension")) == ["handler", "supervisor"]
    item = act(people.handler, item, "request_extension", new_deadline=days(45), comment="再延")
    item = act(people.leader, item, "decide_extension", decision="reject", comment="不同意")
    assert (item.deadline, item.extension_count) == (TODAY + datetime.timedelta(days=40), 1)
    assert [r.status for r in ExtensionRequest.select().order_by(ExtensionRequest.id)] == ["approved", "rejected"]
    with pytest.raises(Conflict):
        act(people.leader, item, "decide_extension", decision="approve", comment="nothing pending")
    Item.update(deadline=TODAY - datetime.timedelta(days=1)).where(Item.id == item.id).execute()
    with pytest.raises(Conflict):
        act(people.handler, item, "request_extension", new_deadline=days(60), comment="too late")


def test_closure_needs_evidence_and_closed_children(people):
    parent = started(people)
    with pytest.raises(Invalid) as err:
        act(people.handler, parent, "request_closure", comment="完成")
    assert "attachment" in err.value.fields
    attach(people.handler, parent)
    child = services.add_child(people.supervisor, Item.get_by_id(parent.id),
                               {"title": "子项", "source_type": "meeting", "lead_department": "culture",
                                "deadline": parent.deadline.isoformat()})
    assert child.parent_id == parent.id and child.leader_id == parent.leader_id
    with pytest.raises(Conflict):
        act(people.handler, parent, "request_closure", comment="完成")
    act(people.supervisor, child, "cancel", comment="合并办理")
    parent = act(people.handler, parent, "request_closure", comment="完成")
    assert notified(parent, "request_closure") == ["supervisor"]


def test_a_child_deadline_is_not_after_the_parent(people):
    parent = register(people.supervisor)
    with pytest.raises(Invalid) as err:
        services.add_child(people.supervisor, parent, {"title": "子项", "source_type": "meeting",
                                                       "lead_department": "culture",
                                                       "deadline": (parent.deadline + datetime.timedelta(days=1))
                                                       .isoformat()})
    assert "deadline" in err.value.fields
    with pytest.raises(Forbidden):
        services.add_child(people.handler, parent, {"title": "x"})


def test_rejections_need_a_comment_and_return_the_item(people):
    item = started(people)
    attach(people.handler, item)
    item = act(people.handler, item, "request_closure", comment="完成")
    with pytest.raises(Invalid) as err:
        act(people.supervisor, item, "review", decision="reject")
    assert "comment" in err.value.fields
    item = act(people.supervisor, item, "review", decision="reject", comment="佐证不足")
    assert item.state == "in_progress"
    assert notified(item, "review") == ["handler"]


def test_closing_records_on_time_and_reopening_clears_it(people):
    item = started(people)
    attach(people.handler, item)
    item = act(people.handler, item, "request_closure", comment="完成")
    item = act(people.supervisor, item, "review", decision="approve")
    assert notified(item, "review") == ["leader"]
    item = act(people.leader, item, "approve", decision="approve")
    assert (item.state, item.closed_on_time, item.progress) == ("closed", True, 100)
    assert queries.light_of(item) == "on_time"
    item = act(people.leader, item, "rate", score=4, comment="较好")
    assert item.score == 4
    with pytest.raises(Invalid):
        act(people.leader, item, "rate", score=6, comment="x")
    item = act(people.leader, item, "reopen", comment="群众反映仍有问题")
    assert (item.state, item.closed_at, item.score) == ("in_progress", None, None)


def test_urges_are_spaced_out(people, app):
    item = started(people)
    act(people.supervisor, item, "urge", comment="请加快")
    assert notified(item, "urge") == ["catering", "handler"]
    with pytest.raises(Conflict):
        act(people.leader, item, "urge", comment="again")
    app.config["PORTAL"]["reminders"]["min_urge_gap_hours"] = 0
    act(people.leader, item, "urge", comment="again")


def test_followers_get_every_notification_of_the_item(people):
    item = register(people.supervisor)
    services.follow(people.leader, item)
    services.follow(people.leader, item)
    with pytest.raises(Forbidden):
        services.follow(people.handler, item)
    item = act(people.supervisor, item, "dispatch")
    assert notified(item, "dispatch") == ["catering", "handler", "leader"]
    item = act(people.handler, item, "accept")
    assert notified(item, "accept") == ["leader"]
    services.unfollow(people.leader, item)
    act(people.handler, item, "report", comment="进展", progress=10)
    assert notified(item, "report") == []
