"""Jobs: work a feature hands to the worker, by name, with ids; run at once in the caller without Redis.

A feature declares each job once, beside its body in its ``tasks.py``::

    @jobs.job("kb.render", queue="kb", timeout=60)
    def render(article_id): ...

and starts it with ``jobs.enqueue("kb.render", article.id)``. With ``redis.url`` set the job goes
to its RQ queue and ``python -m worker`` runs it (``run``: an app context and a database connection
around the body); without Redis the body runs at once in the caller (RQ's synchronous queue would
still need a server). When Redis is configured but cannot be reached, a job declared
``inline_when_down`` runs at once too; any other raises ``QueueUnavailable`` for the caller to
handle (nothing was queued). Job bodies take ids, never model objects: they may run in another
process, later, against rows that changed.
"""

import contextlib
import dataclasses
import logging

from flask import current_app, has_app_context

from .db import database

log = logging.getLogger(__name__)

JOBS = {}  # name -> Job, filled as the features' tasks modules are imported
_app = None  # the app ``python -m worker`` built (use_app)


class QueueUnavailable(Exception):
    """Redis is configured but did not take the job: nothing was queued."""


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    function: object
    queue: str = "default"
    timeout: int = 600
    inline: object = None  # what runs without Redis, when not the function itself
    inline_when_down: bool = False
    options: dict = dataclasses.field(default_factory=dict)  # more of RQ's enqueue options


def job(name, queue="default", timeout=600, inline=None, inline_when_down=False, **options):
    """Declare the decorated function as the job ``name`` on ``queue`` (see the module's docstring)."""
    def declare(function):
        JOBS[name] = Job(name, function, queue, timeout, inline, inline_when_down, options)
        return function
    return declare


def init_app(app):
    url = app.config["PORTAL"]["redis"]["url"]
    app.extensions["redis_url"] = url or None


def redis_connection(app=None):
    """A Redis client for the configured URL, or None in inline mode."""
    app = app or current_app
    url = app.extensions.get("redis_url")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def get_queue(name="default", app=None):
    """The RQ queue ``name`` on the configured Redis, or None in inline mode."""
    from rq import Queue

    connection = redis_connection(app)
    return Queue(name, connection=connection) if connection is not None else None


def enqueue(name, *ids, **options):
    """Queue job ``name`` for ``ids``: True when queued; without Redis run it now and return False."""
    return enqueue_many(name, [ids], **options)


def enqueue_many(name, id_lists, **options):
    """Queue job ``name`` once for each tuple of ``id_lists``, all in one round trip to Redis (or run each
    now without Redis): True when queued, False when run here."""
    declared = JOBS[name]
    queue = get_queue(declared.queue)
    if queue is None:
        for ids in id_lists:
            (declared.inline or declared.function)(*ids)
        return False
    from redis.exceptions import RedisError

    options = {"job_timeout": declared.timeout, **declared.options, **options}
    try:
        with queue.connection.pipeline() as pipe:
            for ids in id_lists:
                queue.enqueue(run, name, *ids, pipeline=pipe, description=f"{name} {' '.join(map(str, ids))}",
                              **options)
            pipe.execute()
    except RedisError as exc:
        if not declared.inline_when_down:
            raise QueueUnavailable(str(exc)) from exc
        log.warning("jobs: Redis unavailable (%s); running %s here", exc, name)
        for ids in id_lists:
            (declared.inline or declared.function)(*ids)
        return False
    return True


def run(name, *ids):
    """What the worker runs for a queued job: its body in an app context with a database connection."""
    with job_context():
        return JOBS[name].function(*ids)


def use_app(app):
    """Make ``app`` the one jobs run in (``python -m worker`` calls this once at start)."""
    global _app
    _app = app


@contextlib.contextmanager
def job_context():
    """An app context and an open database connection for one job (closed afterwards if opened here)."""
    if has_app_context():
        app_context = contextlib.nullcontext()
    elif _app is not None:
        app_context = _app.app_context()
    else:
        raise RuntimeError("jobs run in the app `python -m worker` builds (use_app), or in an app context")
    with app_context:
        opened = database.is_closed()
        if opened:
            database.connect()
        try:
            yield
        finally:
            if opened:
                database.close()
