"""The Redis connection and RQ queues, when ``redis.url`` is set (None otherwise).

RQ's synchronous queue still needs a Redis server, so without Redis the features
call their job functions directly (see portal/notify/delivery.py). Job functions
take ids, never model objects.
"""

from flask import current_app


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
