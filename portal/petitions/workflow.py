"""THE description of every petition action of docs/front-line.md, written once, in the items' style.

Each row is a ``kernel.workflow.Action``: the states it starts from, the state it leads to
(None: unchanged), the roles allowed and, for handlers, the relation required (``department``:
the petition is assigned to the handler's department), its inputs (``kernel.workflow.Input``,
checked by ``Fields.action``), its label, notification and recipient groups
(petitions/recipients.py). The checks of ``services.perform()`` (the kernel's workflow engine),
the action forms, the labels and the OpenAPI bodies (openapi.py) are derived from it;
tests/petitions/test_petition_table.py holds them to it.
"""

from flask_babel import lazy_gettext as _l

from ..kernel.workflow import MAX_COMMENT, Action, Input
from .models import SATISFACTION, STATES

SATISFACTION_LABELS = {
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
}
assert tuple(SATISFACTION_LABELS) == SATISFACTION


def _action(name, label, from_states, to_state, roles, relation=None, inputs=(), notice=None, notify=(),
            confirm=None):
    return Action(name, label, frozenset(from_states.split()), to_state, frozenset(roles.split()),
                  relation=relation, inputs=tuple(inputs), notice=notice, notify=notify, confirm=confirm)


def _note(label=_l("Note"), required=False):
    return Input("comment", "text", label, required=required, max_length=MAX_COMMENT, hint=_l("Optional."))


TABLE = [
    _action("assign", _l("Assign"), "new assigned", "assigned", "supervisor",
            inputs=[Input("department", "department", _l("Department"), widget="select"), _note()],
            notice=_l("Petition assigned to your department"), notify=("department_handlers",)),
    _action("answer", _l("Answer"), "assigned", "answered", "handler", "department",
            inputs=[Input("reply", "text", _l("Reply given to the resident"), max_length=MAX_COMMENT)],
            notice=_l("Petition answered"), notify=("registrar",)),
    _action("convert", _l("Convert into an item"), "assigned answered", None, "supervisor",
            notice=_l("Petition converted into a supervision item"), notify=("department_handlers",),
            confirm=_l("Make a supervision item (draft) of this petition?")),
    _action("merge", _l("Merge"), "new assigned answered", "merged", "supervisor",
            inputs=[Input("into", "text", _l("Earlier petition on the same matter"), max_length=32,
                          hint=_l("Its number, e.g. SQ-2026-0001.")), _note()],
            notice=_l("Petition merged"), notify=("department_handlers",)),
    _action("close", _l("Close petition"), "answered", "closed", "supervisor",
            inputs=[Input("satisfaction", "choice", _l("Resident's satisfaction"), choices=SATISFACTION_LABELS,
                          widget="radio"), _note()],
            notice=_l("Petition closed"), notify=("department_handlers",)),
]
ACTIONS = {action.name: action for action in TABLE}
assert all(a.from_states <= set(STATES) for a in TABLE)


def may_act(user, petition, action):
    """True when ``user`` holds a role allowed for ``action`` (and, as handler, the petition's department)."""
    for role in action.roles & user.roles:
        if role != "handler" or action.relation is None or (
                user.department_id is not None and user.department_id == petition.department_id):
            return True
    return False


def available_actions(petition, user):
    """The actions ``user`` may take on ``petition`` now, in table order (convert once)."""
    return [a.name for a in TABLE if petition.state in a.from_states and may_act(user, petition, a)
            and not (a.name == "convert" and petition.item_id is not None)]
