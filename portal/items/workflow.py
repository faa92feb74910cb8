"""THE description of every action of docs/items.md, written once.

Each action names the states it may start from, the state it leads to
(``None``: unchanged; a dict: chosen by ``decision``), the roles allowed, for
handlers the department relation required (``lead``: the item's lead
department; ``lead_or_co``: lead or a co-department), its inputs with their
types, bounds and whether they are required, its label, the label of the
notification it sends and who receives it (docs/notifications.md; followers always do).

Everything else is derived from this table: the checks of ``perform()``
(actions.py, through the kernel's workflow engine), the action forms, the
labels, the OpenAPI request bodies (openapi.py) and the recipients
(recipients.py). tests/items/test_action_descriptions.py fails when
a form or the OpenAPI document disagrees with it.
"""

from flask_babel import lazy_gettext as _l

from ..kernel.workflow import MAX_COMMENT, Action, Input
from .models import OPEN_STATES, RETURN_REASONS, STATES

RETURN_REASON_LABELS = {
    "not_our_remit": _l("Not our department's remit"),
    "wording": _l("The task's wording needs changing"),
    "needs_coordination": _l("Another department should lead"),
    "other": _l("Other"),
}
DECISION_LABELS = {
    "approve": _l("Approve"),
    "reject": _l("Reject"),
}
assert tuple(RETURN_REASON_LABELS) == RETURN_REASONS


def _comment(label=_l("Comment"), required=True):
    hint = _l("Optional.") if required is False else ""
    return Input("comment", "text", label, required=required, max_length=MAX_COMMENT, hint=hint)


DECISION = Input("decision", "choice", _l("Decision"), choices=DECISION_LABELS, widget="radio")


def _action(name, label, from_states, to_state, roles, relation=None, own_leader=False, inputs=(), notice=None,
            notify=(), confirm=None):
    return Action(name, label, frozenset(from_states.split()), to_state, frozenset(roles.split()), relation,
                  own_leader, tuple(inputs), notice, notify, confirm)


TABLE = [
    _action("dispatch", _l("Dispatch"), "draft returned", "dispatched", "supervisor",
            notice=_l("Item dispatched to your department"), notify=("handlers",)),
    _action("accept", _l("Sign for"), "dispatched", "in_progress", "handler", "lead",
            notice=_l("Item signed for")),
    _action("return", _l("Return"), "dispatched", "returned", "handler", "lead",
            inputs=[Input("reason", "choice", _l("Reason"), choices=RETURN_REASON_LABELS, widget="select"),
                    _comment()],
            notice=_l("Item returned"), notify=("supervisor",)),
    _action("report", _l("Report progress"), "in_progress", None, "handler", "lead_or_co",
            inputs=[Input("progress", "integer", _l("Progress, per cent"), low=0, high=100, step=5, prefill=True),
                    _comment(_l("Progress report")),
                    Input("file", "file", _l("Attachment"), required=False, hint=_l("Optional."))],
            notice=_l("Progress reported")),
    _action("urge", _l("Urge"), "dispatched in_progress", None, "supervisor leader",
            inputs=[_comment(_l("Urging message"))], notice=_l("Item urged"), notify=("handlers",)),
    _action("instruct", _l("Instruct"), "dispatched in_progress closure_requested pending_approval", None,
            "leader", inputs=[_comment(_l("Instruction"))], notice=_l("Leader's instruction"),
            notify=("handlers",)),
    _action("request_extension", _l("Request extension"), "in_progress", None, "handler", "lead",
            inputs=[Input("new_deadline", "date", _l("New deadline"),
                          hint=_l("Later than the current deadline %(deadline)s.")),
                    _comment(_l("Reason for the extension"))],
            notice=_l("Extension requested"), notify=("leader",)),
    _action("decide_extension", _l("Decide extension"), "in_progress", None, "leader", own_leader=True,
            inputs=[DECISION, _comment(required="on_reject")],
            notice=_l("Extension decided"), notify=("lead_handlers", "supervisor")),
    _action("request_closure", _l("Request closure"), "in_progress", "closure_requested", "handler", "lead",
            inputs=[_comment(_l("Summary of the work done")),
                    Input("file", "file", _l("Evidence attachment"), required=False,
                          hint=_l("Evidence (佐证材料) attached earlier counts too."))],
            notice=_l("Closure requested"), notify=("supervisor",)),
    _action("review", _l("Review"), "closure_requested", {"approve": "pending_approval", "reject": "in_progress"},
            "supervisor", inputs=[DECISION, _comment(required="on_reject")],
            notice=_l("Closure request reviewed"),
            notify={"approve": ("leader",), "reject": ("lead_handlers", "supervisor")}),
    _action("approve", _l("Approve closure"), "pending_approval", {"approve": "closed", "reject": "in_progress"},
            "leader", own_leader=True, inputs=[DECISION, _comment(required="on_reject")],
            notice=_l("Closure approved or rejected"), notify=("lead_handlers", "supervisor")),
    _action("rate", _l("Rate"), "closed", None, "leader supervisor", own_leader=True,
            inputs=[Input("score", "integer", _l("Score"), low=1, high=5, widget="select"),
                    _comment(required=False)],
            notice=_l("Item rated")),
    # 批示落实 (docs/front-line.md): the lead or a co-department answers each instruction with what it will do.
    # The supervisor and the item's leader (every leader when it has none) hear of it.
    _action("acknowledge", _l("Acknowledge instruction"), " ".join(OPEN_STATES), None, "handler", "lead_or_co",
            inputs=[Input("instruction", "event", _l("Instruction"), of_action="instruct", widget="select"),
                    _comment(_l("What will be done"))],
            notice=_l("Instruction acknowledged"), notify=("supervisor", "leader")),
    _action("cancel", _l("Cancel"), "draft dispatched in_progress returned", "cancelled", "supervisor leader",
            own_leader=True, inputs=[_comment()], notice=_l("Item cancelled"), notify=("handlers", "supervisor"),
            confirm=_l("Cancel this item? A cancelled item cannot be reopened.")),
    _action("reopen", _l("Reopen"), "closed", "in_progress", "leader", own_leader=True, inputs=[_comment()],
            notice=_l("Item reopened"), notify=("lead_handlers", "supervisor")),
]
ACTIONS = {action.name: action for action in TABLE}
assert all(a.from_states <= set(STATES) for a in TABLE)


def department_ids(item):
    """The ids of the item's lead department and co-departments."""
    co = getattr(item, "_co_ids", None)
    if co is None:
        from .models import ItemCoDepartment

        co = [row.department_id for row in
              ItemCoDepartment.select(ItemCoDepartment.department).where(ItemCoDepartment.item == item.id)]
        item._co_ids = co
    return {item.lead_department_id, *co}


def relation_holds(user, item, relation):
    """True when the user's department stands in ``relation`` ("lead", "lead_or_co") to the item."""
    if user.department_id is None:
        return False
    if relation == "lead":
        return user.department_id == item.lead_department_id
    return user.department_id in department_ids(item)


def delegating_leaders(user):
    """The ids of the leaders for whom ``user`` decides today (Delegation), read once per user object."""
    ids = getattr(user, "_delegating_for", None)
    if ids is None:
        from ..kernel.clock import local_today
        from .models import Delegation

        today = local_today()
        ids = {row.leader_id for row in Delegation.select(Delegation.leader)
               .where(Delegation.delegate == user.id, Delegation.starts <= today, Delegation.ends >= today)}
        user._delegating_for = ids
    return ids


def is_own_leader(user, item):
    """True when ``user`` is ``item``'s leader or decides for them today; any leader when it has none."""
    return item.leader_id is None or item.leader_id == user.id or item.leader_id in delegating_leaders(user)


def may_act(user, item, action):
    """True when ``user`` holds a role allowed for ``action`` (as handler in the right department, as
    leader the item's own where the action says so)."""
    for role in action.roles & user.roles:
        if role == "handler" and action.relation is not None:
            if relation_holds(user, item, action.relation):
                return True
        elif role == "leader" and action.own_leader:
            if is_own_leader(user, item):
                return True
        else:
            return True
    return False


def pending_extension(item):
    """The item's extension request awaiting a leader's decision, or None."""
    from .models import ExtensionRequest

    return ExtensionRequest.get_or_none(ExtensionRequest.item == item.id, ExtensionRequest.status == "pending")


def open_events(item, action, spec):
    """The item's events of ``spec.of_action`` that no event of ``action`` names yet in input ``spec``,
    oldest first, with their actors (e.g. the instructions not yet acknowledged)."""
    from peewee import JOIN

    from ..auth.models import User
    from .models import ItemEvent

    rows = list(ItemEvent.select(ItemEvent, User).join(User, JOIN.LEFT_OUTER, on=ItemEvent.actor == User.id)
                .where(ItemEvent.item == item.id, ItemEvent.action.in_([spec.of_action, action.name]))
                .order_by(ItemEvent.id))
    answered = {(row.data or {}).get(spec.name) for row in rows if row.action == action.name}
    return [row for row in rows if row.action == spec.of_action and row.id not in answered]


def answered_events(item, action, spec):
    """The ids of the item's events of ``spec.of_action`` that an event of ``action`` has answered already."""
    from .models import ItemEvent

    rows = ItemEvent.select(ItemEvent.data).where(ItemEvent.item == item.id, ItemEvent.action == action.name)
    return {(row.data or {}).get(spec.name) for row in rows} - {None}


def waiting_for(item, action):
    """False when ``action`` chooses among the item's events and none is waiting for it."""
    return all(open_events(item, action, spec) for spec in action.event_inputs if spec.required is True)


def input_choices(item, names):
    """For the actions ``names`` that choose among events: {action: {input: [events]}} (the forms' options)."""
    return {name: {spec.name: open_events(item, ACTIONS[name], spec) for spec in ACTIONS[name].event_inputs}
            for name in names if ACTIONS[name].event_inputs}


def available_actions(item, user):
    """The actions ``user`` may take on ``item`` now, in table order (one pending extension at a time;
    an action choosing among events only while one waits for it)."""
    names = [action.name for action in TABLE if item.state in action.from_states and may_act(user, item, action)
             and (not action.event_inputs or waiting_for(item, action))]
    if {"request_extension", "decide_extension"} & set(names):
        pending = pending_extension(item) is not None
        names = [n for n in names if not (n == "request_extension" and pending)
                 and not (n == "decide_extension" and not pending)]
    return names


# The child-deadline rule of docs/items.md: a child's deadline never passes its parent's.

def parent_deadline(item):
    """The deadline ``item``'s own may not pass: its parent's; None for a top-level item."""
    if item.parent_id is None:
        return None
    from .models import Item

    return Item.select(Item.deadline).where(Item.id == item.parent_id).scalar()


def latest_child_deadline(item):
    """The deadline ``item``'s own may not come before: the latest of its children not cancelled, or None."""
    from peewee import fn

    from .models import Item

    return Item.select(fn.MAX(Item.deadline)).where(Item.parent == item.id, Item.state != "cancelled").scalar()


def past_limit(deadline, limit):
    """True when ``deadline`` passes ``limit`` (a parent's deadline; None: no limit)."""
    return deadline is not None and limit is not None and deadline > limit
