"""What the admin pages read and change: users with their roles, departments."""

import peewee
from flask_babel import gettext as _

from ..auth import sessions
from ..auth.models import ROLES, Department, LoginEvent, User, UserRole
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


# --- local accounts: create, deactivate, reset the password (the services `flask create-user` uses) -------

USERNAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def _admin_audit(admin, target, reason):
    """One line of the sign-in audit log (/admin/sign-ins) for an administrator's change of an account."""
    from ..auth.signin import audit

    audit(target.username, admin.username, "admin", True, reason)


def _password_errors(fields, new, repeat, name="password"):
    if len(new or "") < 8:
        fields[name] = _("Choose a password of at least 8 characters.")
    elif len(new) > 256:
        fields[name] = _("The password is too long.")
    elif new != repeat:
        fields[f"{name}_repeat"] = _("The two new passwords differ.")


def read_new_user(form):
    """The new account's fields from the admin form, each checked: Invalid with a message per field."""
    fields = {}
    username = (form.get("username") or "").strip()
    if not username:
        fields["username"] = _("Required.")
    elif len(username) > 64 or not set(username) <= USERNAME_CHARACTERS:
        fields["username"] = _("Letters, digits, dot, dash and underscore only, at most 64.")
    elif User.select().where(User.username == username).exists():
        fields["username"] = _("This user name is taken.")
    name = email = ""
    try:
        name = clean(form.get("display_name") or "")
    except BadText as exc:
        fields["display_name"] = str(exc)
    try:
        email = clean(form.get("email") or "")
    except BadText as exc:
        fields["email"] = str(exc)
    if "display_name" not in fields and not name:
        fields["display_name"] = _("Required.")
    elif len(name) > 64:
        fields["display_name"] = _("At most %(n)s characters.", n=64)
    if email and ("@" not in email or " " in email or len(email) > 255):
        fields["email"] = _("Not an e-mail address.")
    roles = form.getlist("roles")
    if not roles:
        fields["roles"] = _("Choose at least one role.")
    elif not set(roles) <= set(ROLES):
        fields["roles"] = _("Choose one of the roles.")
    code = (form.get("department") or "").strip()
    if code and not Department.select().where(Department.code == code, Department.active).exists():
        fields["department"] = _("Choose one of the departments.")
    _password_errors(fields, form.get("password"), form.get("password_repeat"))
    if fields:
        raise Invalid(_("Some of the input is not valid."), fields=fields)
    return {"username": username, "roles": roles, "password": form["password"], "department_code": code or None,
            "name": name, "email": email}


def create_local_user(admin, values):
    """A new local account from ``read_new_user``'s values, made by auth.users.create_user as on the
    command line; audited."""
    from ..auth.users import UserError, create_user

    with database.atomic():
        try:
            user = create_user(**values)
        except UserError as exc:  # a race with another admin or the command line
            raise Invalid(str(exc), fields={"username": _("This user name is taken.")}) from None
        _admin_audit(admin, user, "created_by_admin")
    bump()
    return user


def deactivate_user(admin, user_id):
    """Deactivate an account (its sessions end, its history stays); not one's own (409); audited."""
    from ..auth.users import deactivate
    from ..kernel.errors import Conflict

    user = user_or_404(user_id)
    if user.id == admin.id:
        raise Conflict(_("You cannot deactivate your own account."))
    if user.active:
        with database.atomic():
            deactivate(user)
            _admin_audit(admin, user, "deactivated_by_admin")
        bump()
    return user_or_404(user_id)


def reset_password(admin, user_id, new, repeat):
    """Set a local account's password (409 for a directory account); every session of it ends; audited."""
    from ..auth.users import hash_password
    from ..kernel.errors import Conflict

    user = user_or_404(user_id)
    if user.source != "local":
        raise Conflict(_("This account's password is managed by the corporate directory."))
    fields = {}
    _password_errors(fields, new, repeat)
    if fields:
        raise Invalid(_("Some of the input is not valid."), fields=fields)
    with database.atomic():
        User.update(password_hash=hash_password(new)).where(User.id == user.id).execute()
        sessions.sign_out_everywhere(user, "password")  # sessions, API tokens and the calendar feed
        _admin_audit(admin, user, "password_reset_by_admin")
    return user
