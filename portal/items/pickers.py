"""Choices for the department and people pickers, narrowed by what the user types."""

import peewee

from ..auth.models import Department, User, UserRole

LIMIT = 200  # enough to list every department without JavaScript; typing narrows it


def department_options(query="", keep=()):
    """(code, name) of active departments whose name or code contains ``query``, plus those in ``keep``."""
    select = Department.select(Department.code, Department.name).where(Department.active == True)  # noqa: E712
    if query:
        match = Department.name.contains(query) | Department.code.contains(query)
        select = select.where(match | Department.code.in_(list(keep)) if keep else match)
    return [(d.code, d.name) for d in select.order_by(Department.sort_order, Department.name).limit(LIMIT)]


def people_options(role, query="", keep=()):
    """(username, "name · department") of active users holding ``role`` matching ``query``, plus ``keep``."""
    select = (User.select(User.username, User.display_name, Department.name.alias("department_name"))
              .join(UserRole).switch(User).join(Department, peewee.JOIN.LEFT_OUTER, on=User.department == Department.id)
              .where(User.active == True, UserRole.role == role)  # noqa: E712
              .distinct())
    if query:
        match = User.display_name.contains(query) | User.username.contains(query)
        select = select.where(match | User.username.in_(list(keep)) if keep else match)
    rows = select.order_by(User.display_name).limit(LIMIT).objects()
    return [(u.username, f"{u.display_name} · {u.department_name}" if u.department_name else u.display_name)
            for u in rows]
