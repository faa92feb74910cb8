"""Who hears of an item's actions (docs/notifications.md), for events and reminders alike.

The groups an action names in ``workflow.TABLE``:

- ``handlers``: active handlers of the lead department and the co-departments;
- ``lead_handlers``: active handlers of the lead department;
- ``supervisor``: the item's supervisor (督办责任人);
- ``leader``: the item's leader (督办领导) and their delegate of the day, or every active leader when it
  has none.

An item's followers (关注) hear of every action. The reminder scan selects
its recipients in SQL with the same definitions (``handler_of_lead_department``).
"""

from peewee import SQL, fn

from ..auth.models import User, UserRole
from ..kernel.clock import local_today
from .models import Delegation, Follow, Item, ItemCoDepartment


def _has_role(role):
    return fn.EXISTS(UserRole.select(SQL("1")).where(UserRole.user == User.id, UserRole.role == role))


def _handlers_in(department_ids):
    return [u.id for u in User.select(User.id).where(User.department.in_(list(department_ids)), User.active,
                                                      _has_role("handler"))]


def _leaders(item):
    """The item's leader and whoever stands in for them today (Delegation), or every active leader."""
    if item.leader_id is not None:
        today = local_today()
        return [item.leader_id, *(row.delegate_id for row in Delegation.select(Delegation.delegate).where(
            Delegation.leader == item.leader_id, Delegation.starts <= today, Delegation.ends >= today))]
    return [u.id for u in User.select(User.id).where(User.active, _has_role("leader"))]


def _co_departments(item):
    return [r.department_id for r in ItemCoDepartment.select(ItemCoDepartment.department)
            .where(ItemCoDepartment.item == item.id)]


GROUPS = {
    "handlers": lambda item: _handlers_in([item.lead_department_id, *_co_departments(item)]),
    "lead_handlers": lambda item: _handlers_in([item.lead_department_id]),
    "supervisor": lambda item: [item.supervisor_id],
    "leader": _leaders,
}


def for_action(item, action, decision=None):
    """The user ids to notify of ``action`` (a workflow.Action) taken on ``item``, followers included."""
    people = []
    for group in action.recipient_groups(decision):
        people += GROUPS[group](item)
    people += [f.user_id for f in Follow.select(Follow.user).where(Follow.item == item.id)]
    return [p for p in people if p is not None]


def handler_of_lead_department():
    """For the reminder scan: (the recipient column, the join condition) of the lead department's handlers."""
    return User.id, (User.department == Item.lead_department) & User.active & _has_role("handler")
