"""Who hears of a petition (DESIGN §11), for its actions and its reminders alike.

The groups an action names in ``petitions.workflow.TABLE``:

- ``department_handlers``: active handlers of the department the petition is assigned to;
- ``registrar``: the supervisor who registered it.
"""

from peewee import SQL, fn

from ..auth.models import User, UserRole


def _handlers_of(department_id):
    if department_id is None:
        return []
    has_role = fn.EXISTS(UserRole.select(SQL("1")).where(UserRole.user == User.id, UserRole.role == "handler"))
    return [u.id for u in User.select(User.id).where(User.department == department_id, User.active, has_role)]


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


def for_overdue_reply(petition):
    """Reminded of a reply past its due day: the department's handlers and the registrar."""
    return GROUPS["department_handlers"](petition) + GROUPS["registrar"](petition)
