"""Personal API tokens: shown once, stored as a SHA-256, revocable."""

import hashlib
import secrets

from flask_babel import gettext as _

from ..db import utcnow
from ..errors import Invalid, NotFound
from .models import ApiToken, User

TOKEN_PREFIX = "dbp_"


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, name=""):
    """Create a token for ``user``; return (ApiToken, the token itself — never stored)."""
    name = (name or "").strip()
    if len(name) > 128:
        raise Invalid(_("The name is too long."), fields={"name": _("The name is too long.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, name=name, token_hash=_digest(token), prefix=token[:10])
    return row, token


def user_for_token(token):
    """The active user a valid, unrevoked token belongs to, or None."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = (ApiToken.select(ApiToken, User).join(User)
           .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_null())
           .first())
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    row.save(only=[ApiToken.last_used_at])
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
