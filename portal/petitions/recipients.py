"""Who hears of a petition (docs/front-line.md), for its actions and its reminders alike.

The groups an action names in ``petitions.workflow.TABLE``:

- ``department_handlers``: active handlers of the department the petition is assigned to;
- ``registrar``: the supervisor who registered it.
"""

from peewee import SQL, fn

from ..auth.models import User, UserRole


def _handlers_in(department_ids):
    """{department id: [its active handlers' ids]} for the given departments, in one query."""
    has_role = fn.EXISTS(UserRole.select(SQL("1")).where(UserRole.user == User.id, UserRole.role == "handler"))
    handlers = {}
    if department_ids:
        for user in User.select(User.id, User.department).where(User.department.in_(list(department_ids)),
                                                                User.active, has_role):
            handlers.setdefault(user.department_id, []).append(user.id)
    return handlers


def _handlers_of(department_id):
    return _handlers_in([department_id] if department_id is not None else []).get(department_id, [])


GROUPS = {
    "department_handlers": lambda petition: _handlers_of(petition.department_id),
    "registrar": lambda petition: [petition.created_by_id],
}


def for_action(petition, action):
    """The user ids to notify of ``action`` (a workflow row) taken on ``petition``."""
    people = []
    for group in action.recipient_groups():
        people += GROUPS[group](petition)
    return [p for p in people if p is not None]


def for_overdue_replies(petitions):
    """{petition id: the user ids reminded of its reply past its due day}: its department's handlers and its
    registrar — for many petitions in one query."""
    handlers = _handlers_in({petition.department_id for petition in petitions} - {None})
    return {petition.id: [*handlers.get(petition.department_id, []), petition.created_by_id]
            for petition in petitions}
