"""Creating and finding users; local passwords (argon2)."""

import argon2

from ..db import database
from .models import ROLES, Department, User, UserRole

_hasher = argon2.PasswordHasher()


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


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
