"""What the admin pages read and change: users with their roles, departments."""

import peewee
from flask_babel import gettext as _

from ..auth import sessions
from ..auth.models import Department, LoginEvent, User, UserRole
from ..auth.users import grant_override, revoke_override
from ..kernel.changes import bump
from ..kernel.db import database
from ..kernel.errors import Invalid, NotFound
from ..kernel.text import BadText, clean

PER_PAGE = 50


def users_page(q="", page=1, per_page=PER_PAGE):
    """(users of the page with department and roles loaded, total) — a fixed number of queries."""
    query = User.select(User, Department).join(Department, peewee.JOIN.LEFT_OUTER)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        query = query.where(User.username ** like | User.display_name ** like | Department.name ** like
                            | Department.code ** like)
    total = query.count()
    rows = query.order_by(User.active.desc(), User.username).paginate(page, per_page)
    users = list(peewee.prefetch(rows, UserRole.select().order_by(UserRole.role)))
    return users, total


def user_or_404(user_id):
    """The user with this id, with department and roles loaded."""
    users = list(peewee.prefetch(
        User.select(User, Department).join(Department, peewee.JOIN.LEFT_OUTER).where(User.id == user_id),
        UserRole.select()))
    if not users:
        raise NotFound()
    return users[0]


def add_override(user_id, role):
    """Grant ``role`` to the user as an override; it survives every directory sync."""
    user = user_or_404(user_id)
    grant_override(user, role)
    return user_or_404(user_id)


def remove_override(user_id, role):
    """Take back an override role; roles from the directory or create-user stay."""
    user = user_or_404(user_id)
    revoke_override(user, role)
    return user_or_404(user_id)


def sign_out_everywhere(user_id):
    """End every session and revoke every API token of the user; return (user, sessions, tokens)."""
    user = user_or_404(user_id)
    ended, revoked = sessions.sign_out_everywhere(user, "admin")
    return user, ended, revoked


def departments():
    """Every department, in display order."""
    return list(Department.select().order_by(Department.sort_order, Department.code))


def rename_department(department_id, name):
    """Give a department (e.g. one created by sign-in from its code) its proper name."""
    department = Department.get_or_none(Department.id == department_id)
    if department is None:
        raise NotFound()
    try:
        name = clean(name or "")
    except BadText as exc:
        raise Invalid(str(exc), fields={"name": str(exc)}) from None
    if not name or len(name) > 128:
        message = _("Enter a name of at most 128 characters.")
        raise Invalid(message, fields={"name": message})
    department.name = name
    with database.atomic():
        department.save(only=[Department.name])
        bump()  # boards show department names
    return department


def sign_ins_page(username="", failed_only=False, page=1, per_page=PER_PAGE):
    """(sign-in attempts of the page, newest first; total) from the audit log."""
    query = LoginEvent.select()
    username = (username or "").strip()
    if username:
        query = query.where(LoginEvent.username == username)
    if failed_only:
        query = query.where(~LoginEvent.success)
    total = query.count()
    return list(query.order_by(LoginEvent.id.desc()).paginate(page, per_page)), total
