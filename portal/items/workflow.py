"""THE state machine of DESIGN.md §2, written once: every page and the API go through it.

Each action names the states it may start from, the state it leads to
(``None``: unchanged; a dict: chosen by ``decision``), the roles allowed, for
handlers the department relation required (``lead``: the item's lead
department; ``lead_or_co``: lead or a co-department), and its required inputs.
"""

from dataclasses import dataclass

from .models import STATES


@dataclass(frozen=True)
class Action:
    name: str
    from_states: frozenset
    to_state: object  # a state, None (unchanged) or {decision: state}
    roles: frozenset
    relation: str | None = None  # for handlers: "lead" or "lead_or_co"
    inputs: tuple = ()

    def target(self, item_state, decision=None):
        """The state the item is in after this action (with ``decision`` where it chooses)."""
        if self.to_state is None:
            return item_state
        if isinstance(self.to_state, dict):
            return self.to_state[decision]
        return self.to_state


def _action(name, from_states, to_state, roles, relation=None, inputs=""):
    return Action(name, frozenset(from_states.split()), to_state, frozenset(roles.split()), relation,
                  tuple(inputs.split()))


TABLE = [
    _action("dispatch", "draft returned", "dispatched", "supervisor"),
    _action("accept", "dispatched", "in_progress", "handler", "lead"),
    _action("return", "dispatched", "returned", "handler", "lead", "reason comment"),
    _action("report", "in_progress", None, "handler", "lead_or_co", "comment progress"),
    _action("urge", "dispatched in_progress", None, "supervisor leader", inputs="comment"),
    _action("instruct", "dispatched in_progress closure_requested pending_approval", None, "leader",
            inputs="comment"),
    _action("request_extension", "in_progress", None, "handler", "lead", "new_deadline comment"),
    _action("decide_extension", "in_progress", None, "leader", inputs="decision comment"),
    _action("request_closure", "in_progress", "closure_requested", "handler", "lead", "comment"),
    _action("review", "closure_requested", {"approve": "pending_approval", "reject": "in_progress"},
            "supervisor", inputs="decision"),
    _action("approve", "pending_approval", {"approve": "closed", "reject": "in_progress"}, "leader",
            inputs="decision"),
    _action("rate", "closed", None, "leader supervisor", inputs="score comment"),
    _action("cancel", "draft dispatched in_progress returned", "cancelled", "supervisor leader",
            inputs="comment"),
    _action("reopen", "closed", "in_progress", "leader", inputs="comment"),
]
ACTIONS = {action.name: action for action in TABLE}
assert all(a.from_states <= set(STATES) for a in TABLE)

# Inputs required only for one decision: a rejection must say why.
COMMENT_REQUIRED_ON_REJECT = {"review", "approve"}

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


def may_act(user, item, action):
    """True when ``user`` holds a role allowed for ``action`` (and, as handler, the right department)."""
    for role in action.roles & user.roles:
        if role != "handler" or action.relation is None or relation_holds(user, item, action.relation):
            return True
    return False


def pending_extension(item):
    """The item's extension request awaiting a leader's decision, or None."""
    from .models import ExtensionRequest

    return ExtensionRequest.get_or_none(ExtensionRequest.item == item.id, ExtensionRequest.status == "pending")


def available_actions(item, user):
    """The actions ``user`` may take on ``item`` now, in table order (one pending extension at a time)."""
    names = [action.name for action in TABLE if item.state in action.from_states and may_act(user, item, action)]
    if {"request_extension", "decide_extension"} & set(names):
        pending = pending_extension(item) is not None
        names = [n for n in names if not (n == "request_extension" and pending)
                 and not (n == "decide_extension" and not pending)]
    return names
