"""Per-user quotas on expensive work: searches, exports, jobs and uploads (``[quotas]`` in the config).

Each kind has a number of uses per ``quotas.window_seconds`` for one user; past it the request answers
429 with ``Retry-After`` and a message saying how long to wait. The counts are shared by every web
process: in Redis when ``redis.url`` is set, else (or while Redis is down) in the database table
``quota_use``, as the sign-in limiter (auth/throttle.py) shares its counts.
"""

import datetime
import functools
import logging
import math
import time
import uuid

import peewee
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError

from .db import BaseModel, database, utcnow
from .errors import PortalError
from .jobs import redis_connection

log = logging.getLogger(__name__)

KINDS = ("searches", "exports", "jobs", "uploads")
PREFIX = "portal:quota:"


class TooMany(PortalError):
    """A quota is used up: 429, and ``retry_after`` seconds until the next use is allowed."""

    status, code = 429, "too_many_requests"

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = max(1, int(math.ceil(retry_after)))


class QuotaUse(BaseModel):
    """One use of a quota (migration 34): kept for a window, then removed by the next use of that key."""

    key = peewee.CharField(max_length=64)
    used_at = peewee.DateTimeField()

    class Meta:
        table_name = "quota_use"
        indexes = ((("key", "used_at"), False),)


def _limit(kind):
    settings = current_app.config["PORTAL"]["quotas"]
    return settings[kind], settings["window_seconds"]


def use(kind, user=None):
    """Count one use of ``kind`` for ``user`` (the signed-in user); TooMany when the window's uses are
    spent (the refused attempt does not count)."""
    user = user or current_user
    limit, window = _limit(kind)
    if limit <= 0 or not getattr(user, "is_authenticated", False):
        return
    key = f"{kind}:{user.id}"
    wait = None
    redis = redis_connection()
    if redis is not None:
        try:
            wait = _redis_use(redis, key, limit, window)
        except RedisError as exc:
            log.warning("quotas: Redis unavailable (%s); counting in the database", exc)
            redis = None
    if redis is None:
        wait = _database_use(key, limit, window)
    if wait is not None:
        refuse(wait)


def refuse(wait):
    minutes = max(1, math.ceil(wait / 60))
    raise TooMany(_("Too many requests of this kind. Please try again in %(minutes)s minute(s).",
                    minutes=minutes), wait)


def _redis_use(redis, key, limit, window):
    """A sliding window in a sorted set of use times; the seconds to wait, or None when used now. One
    MULTI/EXEC adds the use and counts, so requests arriving together cannot all pass: one over the limit
    takes its use back."""
    now = time.time()
    name, member = PREFIX + key, f"{now:.6f}:{uuid.uuid4().hex}"
    with redis.pipeline() as pipe:
        pipe.zremrangebyscore(name, 0, now - window)
        pipe.zadd(name, {member: now})
        pipe.zcard(name)
        pipe.zrange(name, 0, 0, withscores=True)
        pipe.expire(name, window + 1)
        _removed, _added, count, oldest, _expiry = pipe.execute()
    if count > limit:
        redis.zrem(name, member)
        return (oldest[0][1] + window - now) if oldest else window
    return None


def _database_use(key, limit, window):
    now = utcnow()
    since = now - datetime.timedelta(seconds=window)
    with database.atomic():
        QuotaUse.delete().where(QuotaUse.key == key, QuotaUse.used_at < since).execute()
        uses = list(QuotaUse.select(QuotaUse.used_at).where(QuotaUse.key == key, QuotaUse.used_at >= since)
                    .order_by(QuotaUse.used_at).limit(limit).tuples())
        if len(uses) >= limit:
            return (uses[0][0] + datetime.timedelta(seconds=window) - now).total_seconds()
        QuotaUse.create(key=key, used_at=now)
    return None


def limited(kind):
    """Decorate a view: each request is one use of ``kind`` for the signed-in user."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            use(kind)
            return view(*args, **kwargs)
        return wrapped
    return decorate
