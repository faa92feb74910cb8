"""Limits on failed sign-ins, as trusted systems set them (see README "Sign-in limits").

Three bounds, each over the last ``auth.limiter.window_minutes``:

* one user name from one address: ``auth.login_attempts_per_minute`` failures
  are free, then each further attempt must wait ``delay_seconds``, doubling
  with every failure up to ``max_delay_seconds`` (progressive delays);
* one address, all names together: ``address_failures`` (higher, since a whole
  office may sit behind one NAT or proxy address);
* one user name from every address together: ``name_failures``, then the same
  progressive delays — but not from an address where that name signed in
  successfully within ``familiar_days``, so an attacker cannot lock the owner
  out at their own desk; they are only slowed down themselves.

A right password clears the name's counts (the address keeps its own).
Attempts refused by the limiter do not count as failures.

Counts live in Redis when ``redis.url`` is set (shared by every web process);
without Redis, or while it is down, they come from the sign-in audit log in
the database (``login_event``), which every web process shares as well.
"""

import datetime
import logging
import time
from dataclasses import dataclass

import peewee
from flask import current_app
from redis.exceptions import RedisError

from ..kernel.db import utcnow
from ..kernel.jobs import redis_connection
from .models import LoginEvent

log = logging.getLogger(__name__)

PREFIX = "portal:login-failures:"
RESET_PREFIX = "portal:login-reset:"
# LoginEvent.reason values that are failed guesses (not refusals by the limiter, not outages).
FAILURES = ("wrong_password", "unknown_user", "inactive", "empty_password", "ambiguous")


@dataclass
class Counts:
    """Failures within the window, with the time (epoch seconds) of the latest one of each kind."""

    pair: int = 0
    pair_last: float = 0.0
    name: int = 0
    name_last: float = 0.0
    address: int = 0
    address_last: float = 0.0


def _settings():
    auth = current_app.config["PORTAL"]["auth"]
    return auth["login_attempts_per_minute"], auth["limiter"]


def _name(username):
    return (username or "").strip().lower()[:128]


def delay(excess, limiter):
    """Seconds to wait after ``excess`` failures beyond a bound (excess >= 1): doubling, capped."""
    return min(limiter["delay_seconds"] * 2 ** (excess - 1), limiter["max_delay_seconds"])


def wait_seconds(username, address):
    """Seconds this user name must wait before trying again from this address; 0 when it may try now."""
    pair_free, limiter = _settings()
    counts = _counts(username, address, limiter)
    now = time.time()
    waits = [0]
    if counts.pair >= pair_free:
        waits.append(counts.pair_last + delay(counts.pair - pair_free + 1, limiter) - now)
    if counts.address >= limiter["address_failures"]:
        waits.append(counts.address_last + delay(counts.address - limiter["address_failures"] + 1, limiter) - now)
    if counts.name >= limiter["name_failures"] and not _familiar(username, address, limiter):
        waits.append(counts.name_last + delay(counts.name - limiter["name_failures"] + 1, limiter) - now)
    return max(0, int(max(waits) + 0.999))


def record_failure(username, address):
    """Count one failed sign-in (the audit row written with it is the database's record)."""
    redis = redis_connection()
    if redis is None:
        return
    _, limiter = _settings()
    now = time.time()
    window = limiter["window_minutes"] * 60
    try:
        pipe = redis.pipeline()
        for key in _redis_keys(username, address):
            pipe.zadd(key, {f"{now:.6f}": now})
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.expire(key, window)
        pipe.execute()
    except RedisError as exc:
        log.warning("login limiter: Redis unavailable, the database's count applies (%s)", exc)


def record_success(username, address=""):
    """Forget the name's failures after a right password, and the pair's from this address
    (the address keeps its own count)."""
    redis = redis_connection()
    if redis is None:
        return  # the database counts from the audit log's latest success
    _, limiter = _settings()
    now, ttl = f"{time.time():.6f}", limiter["window_minutes"] * 60
    try:
        pipe = redis.pipeline()
        pipe.set(RESET_PREFIX + _name(username), now, ex=ttl)
        pipe.set(f"{RESET_PREFIX}{_name(username)}|{address}", now, ex=ttl)
        pipe.execute()
    except RedisError as exc:
        log.warning("login limiter: Redis unavailable (%s)", exc)


# --- where the counts come from ------------------------------------------------

def _redis_keys(username, address):
    name = _name(username)
    return [f"{PREFIX}pair:{name}|{address}", f"{PREFIX}user:{name}", f"{PREFIX}addr:{address}"]


def _counts(username, address, limiter):
    redis = redis_connection()
    if redis is not None:
        try:
            return _redis_counts(redis, username, address, limiter)
        except RedisError as exc:
            log.warning("login limiter: Redis unavailable, counting in the database (%s)", exc)
    return _database_counts(username, address, limiter)


def _redis_counts(redis, username, address, limiter):
    window_start = time.time() - limiter["window_minutes"] * 60
    name_reset, pair_reset = redis.mget([RESET_PREFIX + _name(username),
                                         f"{RESET_PREFIX}{_name(username)}|{address}"])
    pair_since = max(window_start, float(pair_reset or 0))
    name_since = max(window_start, float(name_reset or 0))
    pipe = redis.pipeline()
    for key, start in zip(_redis_keys(username, address), (pair_since, name_since, window_start)):
        pipe.zcount(key, f"({start}", "+inf")
        pipe.zrevrangebyscore(key, "+inf", f"({start}", start=0, num=1, withscores=True)
    answers = pipe.execute()
    values = []
    for n, latest in zip(answers[::2], answers[1::2]):
        values += [int(n), latest[0][1] if latest else 0.0]
    return Counts(*values)


def _epoch(moment):
    return moment.replace(tzinfo=datetime.UTC).timestamp() if moment else 0.0


def _database_counts(username, address, limiter):
    """Counts from the audit log: three indexed queries over the window only."""
    window_start = utcnow() - datetime.timedelta(minutes=limiter["window_minutes"])
    named = (peewee.fn.LOWER(LoginEvent.username) == _name(username)) & (LoginEvent.at > window_start)
    here = LoginEvent.address == address
    # A right password clears the name's count, and the pair's when it came from this address.
    last_success, last_success_here = (LoginEvent.select(
        peewee.fn.MAX(LoginEvent.at), peewee.fn.MAX(peewee.Case(None, [(here, LoginEvent.at)], None)))
        .where(named, LoginEvent.success).tuples().get())
    name_since = _as_datetime(last_success) or window_start
    pair_since = _as_datetime(last_success_here) or window_start
    failed = ~LoginEvent.success & LoginEvent.reason.in_(FAILURES)
    in_pair = here & (LoginEvent.at > pair_since)
    in_name = LoginEvent.at > name_since
    row = (LoginEvent.select(
        peewee.fn.SUM(peewee.Case(None, [(in_name, 1)], 0)),
        peewee.fn.MAX(peewee.Case(None, [(in_name, LoginEvent.at)], None)),
        peewee.fn.SUM(peewee.Case(None, [(in_pair, 1)], 0)),
        peewee.fn.MAX(peewee.Case(None, [(in_pair, LoginEvent.at)], None)))
        .where(named, failed).tuples().get())
    name_count, name_last, pair_count, pair_last = row
    address_count, address_last = (LoginEvent.select(peewee.fn.COUNT(LoginEvent.id), peewee.fn.MAX(LoginEvent.at))
                                   .where(here, LoginEvent.at > window_start, failed).tuples().get())
    return Counts(int(pair_count or 0), _epoch(_as_datetime(pair_last)), int(name_count or 0),
                  _epoch(_as_datetime(name_last)), int(address_count or 0), _epoch(_as_datetime(address_last)))


def _as_datetime(value):
    """SQLite hands aggregates of datetimes back as text."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value))


def _familiar(username, address, limiter):
    """True when this name signed in successfully from this address within ``familiar_days``."""
    if not address:
        return False
    since = utcnow() - datetime.timedelta(days=limiter["familiar_days"])
    return (LoginEvent.select().where(LoginEvent.username == (username or "").strip(), LoginEvent.address == address,
                                      LoginEvent.success, LoginEvent.at > since).exists())
