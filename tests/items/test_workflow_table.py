"""Every row of docs/items.md's action table: the allowed actor succeeds, a wrong actor gets 403,
a wrong state gets 409 — on SQLite and PostgreSQL."""

import datetime

import pytest

from portal.items import actions
from portal.items.models import Item, ItemEvent
from portal.items.workflow import TABLE
from portal.kernel.clock import local_today
from portal.kernel.errors import Conflict, Forbidden, Invalid

from .conftest import act, attach, register

LATER = (local_today() + datetime.timedelta(days=60)).isoformat()

# How to bring a fresh item into each state: (actor, action, data) steps after registration.
PATHS = {
    "draft": [],
    "dispatched": [("supervisor", "dispatch", {})],
    "returned": [("supervisor", "dispatch", {}),
                 ("handler", "return", {"reason": "wording", "comment": "请调整表述"})],
    "in_progress": [("supervisor", "dispatch", {}), ("handler", "accept", {})],
    "in_progress+extension": [("supervisor", "dispatch", {}), ("handler", "accept", {}),
                              ("handler", "request_extension", {"new_deadline": LATER, "comment": "需要时间"})],
    "in_progress+instruction": [("supervisor", "dispatch", {}), ("handler", "accept", {}),
                                ("leader", "instruct", {"comment": "请本周内拿出方案"})],
    "in_progress+evidence": [("supervisor", "dispatch", {}), ("handler", "accept", {}), ("attach", None, None)],
    "closure_requested": [("supervisor", "dispatch", {}), ("handler", "accept", {}), ("attach", None, None),
                          ("handler", "request_closure", {"comment": "已完成"})],
    "pending_approval": [("supervisor", "dispatch", {}), ("handler", "accept", {}), ("attach", None, None),
                         ("handler", "request_closure", {"comment": "已完成"}),
                         ("supervisor", "review", {"decision": "approve"})],
    "closed": [("supervisor", "dispatch", {}), ("handler", "accept", {}), ("attach", None, None),
               ("handler", "request_closure", {"comment": "已完成"}),
               ("supervisor", "review", {"decision": "approve"}), ("leader", "approve", {"decision": "approve"})],
    "cancelled": [("supervisor", "cancel", {"comment": "不再需要"})],
}

# action: (start state, allowed actor, input, expected state, a wrong actor, a wrong state)
# "catering" handles the co-department, "culture" an unrelated one.
CASES = {
    "dispatch": ("draft", "supervisor", {}, "dispatched", "leader", "in_progress"),
    "accept": ("dispatched", "handler", {}, "in_progress", "catering", "draft"),
    "return": ("dispatched", "handler", {"reason": "not_our_remit", "comment": "不属于本部门"}, "returned",
               "catering", "in_progress"),
    "report": ("in_progress", "catering", {"comment": "完成40%", "progress": 40}, "in_progress", "culture",
               "dispatched"),
    "urge": ("in_progress", "leader", {"comment": "请加快"}, "in_progress", "handler", "closure_requested"),
    "instruct": ("pending_approval", "leader", {"comment": "批示"}, "pending_approval", "supervisor", "closed"),
    "request_extension": ("in_progress", "handler", {"new_deadline": LATER, "comment": "需要时间"}, "in_progress",
                          "catering", "dispatched"),
    "decide_extension": ("in_progress+extension", "leader", {"decision": "approve", "comment": "同意"},
                         "in_progress", "supervisor", "closure_requested"),
    "request_closure": ("in_progress+evidence", "handler", {"comment": "已完成"}, "closure_requested", "catering",
                        "dispatched"),
    "review": ("closure_requested", "supervisor", {"decision": "approve"}, "pending_approval", "leader",
               "pending_approval"),
    "approve": ("pending_approval", "leader", {"decision": "approve"}, "closed", "supervisor",
                "closure_requested"),
    "rate": ("closed", "supervisor", {"score": 5, "comment": "很好"}, "closed", "handler", "pending_approval"),
    # the input names the item's instruction waiting for its acknowledgement (a callable of the item)
    "acknowledge": ("in_progress+instruction", "catering",
                    {"instruction": lambda item: waiting_instruction(item), "comment": "本周五前提交方案"},
                    "in_progress", "culture", "closed"),
    "cancel": ("returned", "leader", {"comment": "撤销"}, "cancelled", "handler", "closed"),
    "reopen": ("closed", "leader", {"comment": "重新办理"}, "in_progress", "supervisor", "cancelled"),
}


def test_the_cases_cover_the_whole_table():
    assert set(CASES) == {action.name for action in TABLE}
    for name, (start, _, _, _, _, wrong) in CASES.items():
        action = next(a for a in TABLE if a.name == name)
        assert start.split("+")[0] in action.from_states and wrong not in action.from_states


def waiting_instruction(item):
    """The id of the item's latest instruction (or 0 when it has none)."""
    latest = (ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "instruct")
              .order_by(ItemEvent.id.desc()).first())
    return latest.id if latest else 0


def resolved(data, item):
    return {key: value(item) if callable(value) else value for key, value in data.items()}


def bring_to(people, state):
    item = register(people.supervisor)
    for actor, action, data in PATHS[state]:
        if actor == "attach":
            attach(people.handler, item)
        else:
            item = act(getattr(people, actor), item, action, **data)
    return Item.get_by_id(item.id)


@pytest.mark.parametrize("action", sorted(CASES))
def test_action_row(people, action):
    start, allowed, data, expected, wrong_actor, wrong_state = CASES[action]

    item = bring_to(people, start)
    events = ItemEvent.select().where(ItemEvent.item == item.id).count()
    with pytest.raises(Forbidden):
        act(getattr(people, wrong_actor), item, action, **resolved(data, item))
    after = act(getattr(people, allowed), item, action, **resolved(data, item))
    assert after.state == expected and after.version == item.version + 1
    event = ItemEvent.select().where(ItemEvent.item == item.id).order_by(ItemEvent.id.desc()).first()
    assert (event.action, event.from_state, event.to_state) == (action, item.state, expected)
    assert ItemEvent.select().where(ItemEvent.item == item.id).count() == events + 1

    elsewhere = bring_to(people, wrong_state)
    with pytest.raises(Conflict):
        act(getattr(people, allowed), elsewhere, action, **resolved(data, elsewhere))
    assert Item.get_by_id(elsewhere.id).version == elsewhere.version


def test_available_actions_follow_the_table(people):
    item = bring_to(people, "in_progress")
    assert actions.perform  # the same table drives both
    from portal.items.workflow import available_actions

    assert available_actions(item, people.handler) == ["report", "request_extension", "request_closure"]
    assert available_actions(item, people.catering) == ["report"]
    assert available_actions(item, people.leader) == ["urge", "instruct", "cancel"]
    assert available_actions(item, people.supervisor) == ["urge", "cancel"]
    act(people.handler, item, "request_extension", new_deadline=LATER, comment="需要时间")
    assert "decide_extension" in available_actions(item, people.leader)
    assert "request_extension" not in available_actions(item, people.handler)


# Whether each action takes a comment (DESIGN §2): (start, actor, input without a comment, required?).
# A decision's actions are listed once per decision: only a rejection needs its reason written.
COMMENT_CASES = {
    "return": ("dispatched", "handler", {"reason": "wording"}, True),
    "report": ("in_progress", "handler", {"progress": 40}, True),
    "urge": ("in_progress", "leader", {}, True),
    "instruct": ("in_progress", "leader", {}, True),
    "request_extension": ("in_progress", "handler", {"new_deadline": LATER}, True),
    "decide_extension/approve": ("in_progress+extension", "leader", {"decision": "approve"}, False),
    "decide_extension/reject": ("in_progress+extension", "leader", {"decision": "reject"}, True),
    "request_closure": ("in_progress+evidence", "handler", {}, True),
    "review/approve": ("closure_requested", "supervisor", {"decision": "approve"}, False),
    "review/reject": ("closure_requested", "supervisor", {"decision": "reject"}, True),
    "approve/approve": ("pending_approval", "leader", {"decision": "approve"}, False),
    "approve/reject": ("pending_approval", "leader", {"decision": "reject"}, True),
    "rate": ("closed", "leader", {"score": 4}, False),
    "acknowledge": ("in_progress+instruction", "handler", {"instruction": lambda item: waiting_instruction(item)},
                    True),
    "cancel": ("in_progress", "supervisor", {}, True),
    "reopen": ("closed", "leader", {}, True),
}


def test_the_comment_cases_cover_every_action_that_takes_a_comment():
    with_comment = {a.name for a in TABLE if a.input("comment") is not None}
    assert {case.split("/")[0] for case in COMMENT_CASES} == with_comment
    for case, (_, _, _, required) in COMMENT_CASES.items():
        action, _, decision = case.partition("/")
        assert TABLE[[a.name for a in TABLE].index(action)].input("comment").required_when(decision or None) \
            is required, case


@pytest.mark.parametrize("case", sorted(COMMENT_CASES))
def test_a_comment_is_required_only_where_the_table_says(people, case):
    start, actor, data, required = COMMENT_CASES[case]
    action = case.split("/")[0]
    item = bring_to(people, start)
    for blank in ({}, {"comment": "   "}):
        attempt = {**resolved(data, item), **blank}
        if required:
            with pytest.raises(Invalid) as refused:
                act(getattr(people, actor), item, action, **attempt)
            assert "comment" in refused.value.fields
            assert Item.get_by_id(item.id).version == item.version
        else:
            after = act(getattr(people, actor), item, action, **attempt)
            assert after.version == item.version + 1
            event = ItemEvent.select().where(ItemEvent.item == item.id).order_by(ItemEvent.id.desc()).first()
            assert (event.action, event.comment) == (action, "")
            return
