"""Departments, users and their roles."""

import peewee
from flask_login import UserMixin

from ..kernel.db import BaseModel, utcnow

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

    def with_roles(self, names):
        """Set the roles read along with the user (``roles`` then asks no more)."""
        self._roles = {name for name in names if name}
        return self

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def get_id(self):
        """flask-login's id: the user's id and, once signed in, the key of their server-side session."""
        key = getattr(self, "session_key", None)
        return f"{self.id}:{key}" if key else str(self.id)


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
    # None: never expires (migration 3).
    expires_at = peewee.DateTimeField(null=True)


class UserSession(BaseModel):
    """One signed-in browser; the cookie carries its key, only the key's SHA-256 is stored.

    A session is valid while this row exists unrevoked and its user is active:
    sign-out, a password or role change, deactivation and "sign out everywhere"
    revoke rows, so a copied cookie stops working at once (migration 3).
    """

    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    key_hash = peewee.CharField(max_length=64, unique=True)
    # How it started: "password" (ldap or local form) or "header" (trusted proxy SSO).
    method = peewee.CharField(max_length=16, default="password")
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(default=utcnow)
    address = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=255, default="")
    revoked_at = peewee.DateTimeField(null=True)
    # "logout", "password", "roles", "deactivated", "admin", "user", "idle".
    revoked_reason = peewee.CharField(max_length=16, default="")

    class Meta:
        indexes = ((("user", "revoked_at"), False),)


MODELS = [Department, User, UserRole, LoginEvent, ApiToken]
# Added by migration 3; not part of the released first schema.
SESSION_MODELS = [UserSession]
