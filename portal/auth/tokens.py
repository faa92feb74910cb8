"""Personal API tokens: shown once, stored as a SHA-256, revocable."""

import datetime
import hashlib
import secrets

from flask import g
from flask_babel import gettext as _

from ..kernel.clock import local_today, zone
from ..kernel.db import utcnow
from ..kernel.errors import Invalid, NotFound
from .models import ApiToken, User

TOKEN_PREFIX = "dbp_"


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# How long a new token lives: (form value, days or None for never); "date" picks a day.
EXPIRY_DAYS = (("30", 30), ("90", 90), ("365", 365), ("never", None))
MAX_DAYS = 3650
# last_used_at is written at most once per this many seconds per token.
TOUCH_SECONDS = 60


def expiry_choices():
    """(value, label) pairs for the token form's expiry choice."""
    return [("30", _("30 days")), ("90", _("90 days")), ("365", _("One year")), ("never", _("Never")),
            ("date", _("On a date…"))]


def parse_expiry(choice, date_text="", today=None):
    """The expiry (naive UTC datetime) for the form's choice, or None for never; raise Invalid.

    A date means the end of that day in ``app.timezone``; it must be after
    today and at most ten years ahead. An empty choice means 90 days.
    """
    choice = (choice or "90").strip()
    days = dict(EXPIRY_DAYS)
    if choice in days:
        return None if days[choice] is None else utcnow() + datetime.timedelta(days=days[choice])
    if choice != "date":
        message = _("Choose when the token expires.")
        raise Invalid(message, fields={"expires": message})
    today = today or local_today()
    try:
        day = datetime.date.fromisoformat((date_text or "").strip())
    except ValueError:
        message = _("Enter the date as YYYY-MM-DD.")
        raise Invalid(message, fields={"expires_on": message}) from None
    if day <= today or (day - today).days > MAX_DAYS:
        message = _("Choose a date after today and at most ten years ahead.")
        raise Invalid(message, fields={"expires_on": message})
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone())
    return end.astimezone(datetime.UTC).replace(tzinfo=None)


def create_token(user, name="", expires_at=None):
    """Create a token for ``user`` (expiring at ``expires_at``, naive UTC, or never); return
    (ApiToken, the token itself — never stored)."""
    name = (name or "").strip()
    if len(name) > 128:
        raise Invalid(_("The name is too long."), fields={"name": _("The name is too long.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, name=name, token_hash=_digest(token), prefix=token[:10],
                          expires_at=expires_at)
    return row, token


def user_for_token(token):
    """The active user a valid, unrevoked, unexpired token belongs to, or None.

    An expired token sets ``g.token_expired`` so the answer can say so.
    """
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = (ApiToken.select(ApiToken, User).join(User)
           .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_null())
           .first())
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        g.token_expired = True
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= TOUCH_SECONDS:
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row.user


def tokens_of(user):
    """The user's tokens, newest first, revoked ones included."""
    return list(ApiToken.select().where(ApiToken.user == user).order_by(ApiToken.id.desc()))


def revoke_token(user, token_id):
    """Revoke one of ``user``'s own tokens; 404 for anyone else's."""
    row = ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.user == user)
    if row is None:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.save(only=[ApiToken.revoked_at])
    return row
