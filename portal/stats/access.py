"""Who sees which department's figures: leaders and supervisors all; a handler their own."""

from flask_babel import gettext as _

from ..auth.models import Department
from ..kernel.errors import Forbidden, NotFound


def visible_department_ids(user):
    """None (every department) for leaders and supervisors, [their own] for a handler; 403 otherwise."""
    if user.has_role("leader", "supervisor"):
        return None
    if user.has_role("handler") and user.department_id is not None:
        return [user.department_id]
    raise Forbidden(_("Statistics are for leaders, supervisors and handlers."))


def narrowed(user, code):
    """The department ids ``user`` asks for with ``code`` (empty: all they may see); 404 for one they may not."""
    allowed = visible_department_ids(user)
    if not code:
        return allowed
    department = Department.get_or_none(Department.code == code)
    if department is None or (allowed is not None and department.id not in allowed):
        raise NotFound(_("There is no such department, or you may not see its figures."))
    return [department.id]
