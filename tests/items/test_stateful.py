"""Random sequences of actions by random users keep the invariants of docs/items.md (hypothesis stateful).

SQLite only: the property is about the rules, which are the same on both databases.
"""

import datetime

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from peewee import JOIN, fn

from portal.auth.models import User
from portal.items import actions, services
from portal.items.models import STATES, Item, ItemCoDepartment, ItemEvent
from portal.items.workflow import ACTIONS, available_actions
from portal.kernel.clock import local_today
from portal.kernel.errors import PortalError

from .conftest import attach, register

USERS = ["leader", "supervisor", "handler", "catering", "culture", "office"]
DEPARTMENTS = ["property", "catering", "culture"]
CO = [[], ["catering"], ["culture", "property"]]
TODAY = local_today()
# Mostly valid input, sometimes not: the rules must refuse the bad without writing anything.
INPUTS = {
    "comment": st.sampled_from(["进展说明"] * 5 + [""]),
    "progress": st.sampled_from([40, 100, 101]),
    "reason": st.sampled_from(["wording", "not_our_remit", "bogus"]),
    "new_deadline": st.sampled_from([(TODAY + datetime.timedelta(days=d)).isoformat() for d in (5, 45, 90)]),
    "decision": st.sampled_from(["approve", "approve", "reject"]),
    "score": st.sampled_from([0, 3, 5]),
}
VERSION_CHANGES = set(ACTIONS) | {"update"}

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.users = {name: User.get(User.username == name) for name in USERS}
        self.items = []
        self.checked = ItemEvent.select(fn.MAX(ItemEvent.id)).scalar() or 0

    @initialize()
    def first_item(self):
        self.items.append(register(self.users["supervisor"]).id)

    @rule(data=st.data(), kind=st.sampled_from(["act"] * 7 + ["attach", "child", "register"]))
    def step(self, data, kind):
        """One step: mostly an action, sometimes an upload, a new child or a new item."""
        item = Item.get_by_id(data.draw(st.sampled_from(self.items)))
        try:
            if kind == "act":
                self.act(data, item)
            elif kind == "attach":
                attach(self.users[data.draw(st.sampled_from(USERS))], item)
            elif kind == "child" and len(self.items) < 8:
                self.items.append(services.add_child(self.users["supervisor"], item, {
                    "title": "子项", "source_type": "meeting", "lead_department": data.draw(st.sampled_from(DEPARTMENTS)),
                    "deadline": item.deadline.isoformat()}).id)
            elif kind == "register" and len(self.items) < 8:
                self.items.append(register(self.users["supervisor"], lead_department=data.draw(
                    st.sampled_from(DEPARTMENTS)), co_departments=data.draw(st.sampled_from(CO))).id)
        except PortalError:
            pass

    def act(self, data, item):
        # Mostly an action the table offers someone (so lifecycles get far), sometimes anything by anyone.
        # Cancelling ends a lifecycle and unchanged-state actions go nowhere: offer them less often.
        luck = data.draw(st.integers(0, 9))
        offered = [(user, action) for user in USERS for action in available_actions(item, self.users[user])
                   if (action != "cancel" or luck == 0) and (ACTIONS[action].to_state is not None or luck < 3)]
        if offered and data.draw(st.sampled_from([True] * 5 + [False])):
            user, action = data.draw(st.sampled_from(offered))
        else:
            user, action = data.draw(st.sampled_from(USERS)), data.draw(st.sampled_from(sorted(ACTIONS)))
        if action == "request_closure" and luck:
            attach(self.users["supervisor"], item)  # evidence first, most of the time
        body = {name: data.draw(strategy) for name, strategy in INPUTS.items()}
        stale = data.draw(st.sampled_from([False] * 5 + [True]))
        body["version"] = item.version - 1 if stale else item.version
        actions.perform(self.users[user], item, action, body)

    @invariant()
    def states_are_known(self):
        assert not Item.select().where(Item.state.not_in(STATES)).exists()

    @invariant()
    def every_change_has_exactly_one_event(self):
        changes = fn.COUNT(ItemEvent.id)
        rows = (Item.select(Item.version, changes.alias("changes"))
                .join(ItemEvent, JOIN.LEFT_OUTER, on=((ItemEvent.item == Item.id)
                                                      & ItemEvent.action.in_(VERSION_CHANGES)))
                .group_by(Item.id, Item.version).dicts())
        assert all(row["version"] == 1 + row["changes"] for row in rows)

    @invariant()
    def closed_items_were_approved_by_a_leader(self):
        for item in Item.select().where(Item.state == "closed"):
            last = (ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.to_state == "closed",
                                             ItemEvent.from_state != "closed")
                    .order_by(ItemEvent.id.desc()).first())
            assert last.action == "approve" and last.actor.has_role("leader")

    @invariant()
    def handlers_act_only_for_their_departments(self):
        handler_actions = {name for name, a in ACTIONS.items() if "handler" in a.roles}
        new_events = ItemEvent.select().where(ItemEvent.action.in_(handler_actions), ItemEvent.id > self.checked)
        for event in new_events:
            item, actor = event.item, event.actor
            co = {r.department_id for r in ItemCoDepartment.select().where(ItemCoDepartment.item == item.id)}
            allowed = {item.lead_department_id} | (co if ACTIONS[event.action].relation == "lead_or_co" else set())
            assert actor.department_id in allowed
        self.checked = ItemEvent.select(fn.MAX(ItemEvent.id)).scalar() or 0

    @invariant()
    def no_parent_closed_with_an_open_child(self):
        child = Item.alias()
        assert not (Item.select().join(child, on=(child.parent == Item.id))
                    .where(Item.state == "closed", child.state.not_in(("closed", "cancelled"))).exists())


def test_random_lifecycles_keep_the_invariants(people):
    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=20, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

