"""Background jobs: RQ on Redis when ``redis.url`` is set, otherwise inline.

RQ's synchronous queue still needs a Redis server, so "no Redis" mode calls the
job function directly. Job functions take ids, never model objects.
"""

import logging

from flask import current_app

log = logging.getLogger(__name__)


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
    from rq import Queue

    connection = redis_connection(app)
    return Queue(name, connection=connection) if connection is not None else None


def enqueue(func, *args, queue="default", **options):
    """Run ``func(*args)`` in a worker, or right now when no Redis is configured."""
    rq_queue = get_queue(queue)
    if rq_queue is None:
        return func(*args)
    return rq_queue.enqueue(func, *args, **options)
