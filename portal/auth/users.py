"""Creating and finding users; local passwords (argon2)."""

import argon2
from flask_babel import gettext as _

from ..db import database, utcnow
from ..errors import Invalid
from .models import ROLES, Department, User, UserRole

_hasher = argon2.PasswordHasher()


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


class LocalAccountConflict(UserError):
    """A directory person has the user name of a local account, which the directory never takes over."""


def hash_password(password):
    return _hasher.hash(password)


def check_password(user, password):
    """True when ``password`` matches the user's local hash; never raises."""
    if not user.password_hash or not password:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
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
        changes.extend(_replace_directory_roles(user, person.roles))
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
    """Mark ``user`` inactive (they cannot sign in; their history stays)."""
    user.active = False
    user.deactivated_at = utcnow()
    user.save(only=[User.active, User.deactivated_at])


def grant_override(user, role):
    """Give ``user`` the ``role`` as an admin override, which syncs never remove."""
    if role not in ROLES:
        raise Invalid(_("Choose one of the roles."), fields={"role": _("Choose one of the roles.")})
    UserRole.get_or_create(user=user, role=role, origin="override")


def revoke_override(user, role):
    """Take an override role back (directory and local roles are untouched)."""
    UserRole.delete().where(UserRole.user == user, UserRole.role == role,
                            UserRole.origin == "override").execute()
