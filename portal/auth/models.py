"""Departments, users and their roles."""

import peewee
from flask_login import UserMixin

from ..db import BaseModel, utcnow

ROLES = ("leader", "supervisor", "handler", "admin")


class Department(BaseModel):
    code = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=128)
    active = peewee.BooleanField(default=True)
    sort_order = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)

    def __str__(self):
        return self.name


class User(UserMixin, BaseModel):
    username = peewee.CharField(max_length=128, unique=True)
    display_name = peewee.CharField(max_length=128)
    email = peewee.CharField(max_length=255, default="")
    department = peewee.ForeignKeyField(Department, null=True, backref="users", on_delete="SET NULL")
    # Where the account comes from: "local", "ldap" (directory) — header SSO users are "ldap" too.
    source = peewee.CharField(max_length=16, default="local")
    password_hash = peewee.CharField(max_length=255, default="")
    active = peewee.BooleanField(default=True)
    last_login_at = peewee.DateTimeField(null=True)
    # When a directory sync last found this user gone (kept for the record).
    deactivated_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_active(self):
        return self.active

    @property
    def roles(self):
        """The set of role names this user holds (directory, local and overrides together)."""
        if not hasattr(self, "_roles"):
            self._roles = {r.role for r in self.role_rows}
        return self._roles

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))


class UserRole(BaseModel):
    user = peewee.ForeignKeyField(User, backref="role_rows", on_delete="CASCADE")
    role = peewee.CharField(max_length=16)
    # "local": given by create-user; "directory": from LDAP groups, replaced at each
    # login and sync; "override": granted by an admin, survives syncs.
    origin = peewee.CharField(max_length=16, default="local")

    class Meta:
        indexes = ((("user", "role", "origin"), True),)


class LoginEvent(BaseModel):
    """One sign-in attempt, successful or not (the audit log). Never holds a password."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    username = peewee.CharField(max_length=128, index=True)
    address = peewee.CharField(max_length=64, default="")
    backend = peewee.CharField(max_length=16, default="")
    success = peewee.BooleanField(default=False)
    # "ok", "wrong_password", "unknown_user", "inactive", "empty_password",
    # "ambiguous", "throttled", "directory_unavailable", "untrusted_proxy".
    reason = peewee.CharField(max_length=32)


class ApiToken(BaseModel):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    user = peewee.ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = peewee.CharField(max_length=128, default="")
    token_hash = peewee.CharField(max_length=64, unique=True)
    # The first characters, so a user can tell their tokens apart.
    prefix = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)


MODELS = [Department, User, UserRole, LoginEvent, ApiToken]
