"""Limits on failed sign-ins, per user name and per address.

Counts live in Redis when ``redis.url`` is set (shared by every web worker),
otherwise in this process. If the configured Redis is down the limiter lets
sign-ins through and logs a warning: it must never lock everybody out.
"""

import logging
import threading
import time
from collections import defaultdict, deque

from flask import current_app
from redis.exceptions import RedisError

from ..jobs import redis_connection

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
PREFIX = "portal:login-failures:"


class _MemoryCounts:
    """Failure times per key over the last minute (a sliding window)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._times = defaultdict(deque)

    def _trim(self, key, now):
        times = self._times[key]
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def count(self, key):
        with self._lock:
            return len(self._trim(key, time.monotonic()))

    def add(self, key):
        with self._lock:
            now = time.monotonic()
            self._trim(key, now).append(now)

    def clear(self, key):
        with self._lock:
            self._times.pop(key, None)


def _keys(username, address):
    return [f"user:{username.strip().lower()}", f"addr:{address}"]


def _limit():
    return current_app.config["PORTAL"]["auth"]["login_attempts_per_minute"]


def _memory():
    return current_app.extensions.setdefault("login_failures", _MemoryCounts())


def is_blocked(username, address):
    """True when this user name or this address used up its failed attempts for the minute."""
    redis = redis_connection()
    keys = _keys(username, address)
    if redis is None:
        return any(_memory().count(key) >= _limit() for key in keys)
    try:
        counts = redis.mget([PREFIX + key for key in keys])
    except RedisError as exc:
        log.warning("login limiter: Redis unavailable, not limiting (%s)", exc)
        return False
    return any(int(count or 0) >= _limit() for count in counts)


def record_failure(username, address):
    """Count one failed sign-in against the user name and the address."""
    redis = redis_connection()
    if redis is None:
        for key in _keys(username, address):
            _memory().add(key)
        return
    try:
        pipe = redis.pipeline()
        for key in _keys(username, address):
            pipe.incr(PREFIX + key)
            pipe.expire(PREFIX + key, WINDOW_SECONDS, nx=True)
        pipe.execute()
    except RedisError as exc:
        log.warning("login limiter: Redis unavailable, failure not counted (%s)", exc)


def record_success(username):
    """Forget the failures of ``username`` after a right password (the address keeps its count)."""
    key = _keys(username, "")[0]
    redis = redis_connection()
    if redis is None:
        _memory().clear(key)
        return
    try:
        redis.delete(PREFIX + key)
    except RedisError as exc:
        log.warning("login limiter: Redis unavailable (%s)", exc)
