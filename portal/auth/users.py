"""Creating and finding users; local passwords (argon2)."""

import argon2
from flask_babel import gettext as _

from ..kernel import hooks
from ..kernel.db import database, utcnow
from ..kernel.errors import Invalid
from . import sessions
from .access import access_changed
from .models import ROLES, Department, User, UserRole

_hasher = argon2.PasswordHasher()


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


class LocalAccountConflict(UserError):
    """A directory person has the user name of a local account, which the directory never takes over."""


def hash_password(password):
    return _hasher.hash(password)


def check_password(user, password):
    """True when ``password`` matches the user's local hash; never raises.

    Without a stored hash the same argon2 work is spent on a dummy one, so the
    answer takes as long as for a wrong password.
    """
    if not password:
        return False
    if not user.password_hash:
        spend_password_check(password)
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


_dummy = {}


def spend_password_check(password):
    """Verify ``password`` against a hash of nothing anyone knows: the work of a real check, always False.

    Sign-in calls it for unknown user names, so their answer takes as long as a
    known name's with a wrong password and does not tell which names exist.
    """
    hasher = _hasher
    dummy = _dummy.get(id(hasher))
    if dummy is None:
        import secrets

        dummy = _dummy[id(hasher)] = hasher.hash(secrets.token_urlsafe(24))
    try:
        hasher.verify(dummy, password or "-")
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        pass
    return False


def create_user(username, roles, password=None, department_code=None, name=None, email=""):
    """Create a local user with ``roles``; raise UserError on a bad role, department or duplicate."""
    username = (username or "").strip()
    if not username:
        raise UserError("a user name is required")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UserError(f"unknown role {', '.join(sorted(unknown))}; roles are {', '.join(ROLES)}")
    department = None
    if department_code:
        department = Department.get_or_none(Department.code == department_code)
        if department is None:
            raise UserError(f"no department with code {department_code}")
    if User.select().where(User.username == username).exists():
        raise UserError(f"user {username} exists already")
    with database.atomic():
        user = User.create(
            username=username,
            display_name=name or username,
            email=email or "",
            department=department,
            source="local",
            password_hash=hash_password(password) if password else "",
        )
        for role in dict.fromkeys(roles):
            UserRole.create(user=user, role=role, origin="local")
    return user


def department_for(code):
    """The department with ``code``, created (named after its code) when first seen; None for ''."""
    if not code:
        return None
    department, _ = Department.get_or_create(code=code, defaults={"name": code})
    return department


def refresh_from_directory(person, user=None):
    """Create or update the user for a directory Person; return (user, list of changes made).

    Directory roles are replaced; roles an admin granted as overrides are kept.
    A user found in the directory is active again. Only directory users are
    created or refreshed: a local account of that name raises LocalAccountConflict
    and stays as it is.
    """
    changes = []
    with database.atomic():
        if user is None:
            user = User.get_or_none(User.username == person.username)
        if user is not None and user.source != "ldap":
            raise LocalAccountConflict(f"a {user.source} account has the user name {person.username}")
        if user is None:
            user = User.create(username=person.username, display_name=person.display_name or person.username,
                               email=person.email, department=department_for(person.department_code),
                               source="ldap")
            changes.append("created")
        else:
            department = department_for(person.department_code)
            wanted = {
                "display_name": person.display_name or person.username,
                "email": person.email,
                "department": department.id if department else None,
                "active": True,
            }
            for name, value in wanted.items():
                current = getattr(user, name + "_id" if name == "department" else name)
                if current != value:
                    changes.append(_describe_change(user, name, value, department))
                    setattr(user, name, value)
            if changes:
                user.deactivated_at = None
                user.save()
        role_changes = _replace_directory_roles(user, person.roles)
        changes.extend(role_changes)
        if role_changes or any(c.startswith("department ") for c in changes):
            access_changed(user, "roles")
    user.__dict__.pop("_roles", None)
    return user, changes


def _describe_change(user, name, value, department):
    if name == "department":
        old = user.department.code if user.department_id else "-"
        return f"department {old} -> {department.code if department else '-'}"
    if name == "active":
        return "reactivated"
    return f"{name} {getattr(user, name)!r} -> {value!r}"


def _replace_directory_roles(user, roles):
    current = {r.role for r in UserRole.select().where(UserRole.user == user,
                                                       UserRole.origin == "directory")}
    roles = set(roles) & set(ROLES)
    changes = []
    for role in sorted(current - roles):
        UserRole.delete().where(UserRole.user == user, UserRole.origin == "directory",
                                UserRole.role == role).execute()
        changes.append(f"-{role}")
    for role in sorted(roles - current):
        UserRole.create(user=user, role=role, origin="directory")
        changes.append(f"+{role}")
    return changes


def deactivate(user):
    """Mark ``user`` inactive (they cannot sign in; their history stays); their sessions end, and the
    secrets of hooks.credentials_revoked (the calendar feed)."""
    user.active = False
    user.deactivated_at = utcnow()
    user.save(only=[User.active, User.deactivated_at])
    sessions.end_all(user, "deactivated")
    hooks.credentials_revoked.call(user)


def grant_override(user, role):
    """Give ``user`` the ``role`` as an admin override, which syncs never remove; their sessions end."""
    if role not in ROLES:
        raise Invalid(_("Choose one of the roles."), fields={"role": _("Choose one of the roles.")})
    _row, created = UserRole.get_or_create(user=user, role=role, origin="override")
    if created:
        access_changed(user, "roles")


def revoke_override(user, role):
    """Take an override role back (directory and local roles are untouched).

    The user's sessions end, and so do their follows of items they can no longer see.
    """
    removed = UserRole.delete().where(UserRole.user == user, UserRole.role == role,
                                      UserRole.origin == "override").execute()
    if removed:
        access_changed(user, "roles")


def change_password(user, current, new, repeat):
    """Set a local user's new password after checking the current one; raise Invalid per field.

    Every other session of the user ends (the caller keeps the current one).
    """
    fields = {}
    if user.source != "local":
        raise Invalid(_("Your password is managed by the corporate directory."))
    if not check_password(user, current):
        fields["current_password"] = _("The password is not correct.")
    if len(new or "") < 8:
        fields["new_password"] = _("Choose a password of at least 8 characters.")
    elif len(new) > 256:
        fields["new_password"] = _("The password is too long.")
    elif new != repeat:
        fields["repeat_password"] = _("The two new passwords differ.")
    if fields:
        raise Invalid(next(iter(fields.values())), fields=fields)
    user.password_hash = hash_password(new)
    user.save(only=[User.password_hash])
    hooks.credentials_revoked.call(user)  # the calendar feed's URL too: the old password may have leaked
    return sessions.end_all(user, "password", keep_current_of=user)
