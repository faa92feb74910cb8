"""Server-side sessions: each signed-in browser is a UserSession row its cookie points to.

The signed cookie carries ``<user id>:<session key>`` (flask-login's user id,
so a remember-me cookie would carry it too); only the key's SHA-256 is stored.
A request is signed in while that row is unrevoked and its user active, so
sign-out, "sign out everywhere", a password or role change and deactivation
end a session at once, whatever copy of the cookie still exists.
"""

import datetime
import hashlib
import secrets

import peewee
from flask import current_app

from ..kernel import changes, hooks
from ..kernel.db import joined, prepared, utcnow
from .models import ApiToken, Department, User, UserRole, UserSession

# last_seen_at is written at most once per this many seconds per session.
TOUCH_SECONDS = 60


def _digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(user, method, address="", user_agent=""):
    """Open a session for ``user``; the key is set on the user for flask-login's ``get_id``."""
    key = secrets.token_urlsafe(32)
    user.session_row = UserSession.create(user=user, key_hash=_digest(key), method=method,
                                          address=(address or "")[:64], user_agent=(user_agent or "")[:255])
    user.session_key = key
    return key


def split_id(value):
    """(user id, session key) from the id flask-login stored, or (None, None) for anything else."""
    user_id, _, key = str(value or "").partition(":")
    if not user_id.isdigit() or not key:
        return None, None
    return int(user_id), key


def _idle_limit():
    return datetime.timedelta(minutes=current_app.config["PORTAL"]["app"]["session_idle_minutes"])


def _live_session(key_hash, user_id):
    """The session row with its user, their department and roles, and the request's change counters."""
    roles = UserRole.select(joined(UserRole.role, ",")).where(UserRole.user == User.id)
    return (UserSession.select(UserSession, User, Department, roles.alias("role_names"),
                               *changes.counter_columns(User.id)).join(User)
            .join(Department, peewee.JOIN.LEFT_OUTER)
            .where(UserSession.key_hash == key_hash, UserSession.user == user_id,
                   UserSession.revoked_at.is_null(), User.active)
            .limit(1))


def load(value):
    """The active user whose live session the cookie names, with ``session_row`` set; else None.

    One query, with the user's department and roles, and the request's change counters (changes.py).
    A session idle for longer than ``app.session_idle_minutes``
    (plus the minute last_seen_at may lag) is ended here too, not only by the
    cookie's own clock.
    """
    user_id, key = split_id(value)
    if user_id is None:
        return None
    found = prepared(_live_session, _digest(key), user_id)
    if not found:
        return None
    row = found[0]
    changes.remember(changes.request_counters(user_id), row)
    now = utcnow()
    if row.last_seen_at < now - _idle_limit() - datetime.timedelta(seconds=TOUCH_SECONDS):
        _revoke(UserSession.id == row.id, "idle")
        return None
    user = row.user
    user.with_roles((row.role_names or "").split(","))
    user.session_key = key
    user.session_row = row
    return user


def touch(user):
    """Record activity on the user's current session (at most once a minute)."""
    row = getattr(user, "session_row", None)
    if row is None:
        return
    now = utcnow()
    if (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        row.last_seen_at = now
        UserSession.update(last_seen_at=now).where(UserSession.id == row.id).execute()


def _revoke(condition, reason):
    return (UserSession.update(revoked_at=utcnow(), revoked_reason=reason)
            .where(condition, UserSession.revoked_at.is_null()).execute())


def end_current(user, reason="logout"):
    """End the session the user's request came with."""
    row = getattr(user, "session_row", None)
    if row is not None:
        _revoke(UserSession.id == row.id, reason)


def end_all(user, reason, keep_current_of=None):
    """End every session of ``user`` (except the current one of ``keep_current_of``); return how many."""
    condition = UserSession.user == getattr(user, "id", user)
    current = getattr(keep_current_of, "session_row", None)
    if current is not None:
        condition &= UserSession.id != current.id
    return _revoke(condition, reason)


def sign_out_everywhere(user, reason="admin"):
    """An administrator's answer to a lost laptop or a leaked password: every session and API token ends,
    and so does every other secret that opens the user's data (hooks.credentials_revoked: the calendar
    feed's URL)."""
    sessions = end_all(user, reason)
    tokens = (ApiToken.update(revoked_at=utcnow())
              .where(ApiToken.user == user.id, ApiToken.revoked_at.is_null()).execute())
    hooks.credentials_revoked.call(user)
    return sessions, tokens


def live_sessions(user):
    """The user's sessions that are still valid, most recently used first."""
    since = utcnow() - _idle_limit()
    return list(UserSession.select()
                .where(UserSession.user == user.id, UserSession.revoked_at.is_null(),
                       UserSession.last_seen_at >= since)
                .order_by(UserSession.last_seen_at.desc()))
