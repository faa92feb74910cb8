"""Notifications: in-app, e-mail and group robots, delivered from a transactional outbox."""

import logging
import time

from flask import current_app, g

from ..kernel import hooks
from ..kernel.db import database

log = logging.getLogger(__name__)


SWEEP_SECONDS = 60
# Rows one response relays: without Redis they are delivered in this web worker, so keep it short.
ROWS_PER_RESPONSE = 100


def init_app(app):
    """Register the notification pages, admin pages and API, the relay after requests and ``remind``."""
    from flask_login import current_user

    from . import admin, api, messages, outbox, services, tasks, views  # noqa: F401  (tasks: the jobs)
    from .cli import remind

    for blueprint in (views.bp, admin.bp, api.bp):
        app.register_blueprint(blueprint)
    hooks.openapi.add("notify", (api.OPENAPI_PATHS, {}))
    hooks.item_actions.add("notify", outbox.item_action)
    messages.add_item_kinds()
    relay_after_request(app)
    app.cli.add_command(remind)
    app.jinja_env.globals["unread_notifications"] = lambda: services.unread_count(current_user)
    app.jinja_env.globals["notification_page"] = messages.page_of


def relay_after_request(app):
    """After a response whose request wrote outbox rows, relay them (they committed with the request).

    With Redis this only enqueues; without, it delivers right there, after the
    response went out, so a slow SMTP server never delays a page. Without Redis
    there is no worker either, so once a minute a response also sweeps up rows
    waiting for a retry.
    """
    last_sweep = [time.monotonic()]

    @app.after_request
    def _schedule_relay(response):
        written = g.pop("notify_outbox_written", False)
        sweep = not app.extensions.get("redis_url") and time.monotonic() - last_sweep[0] > SWEEP_SECONDS
        if written or sweep:
            last_sweep[0] = time.monotonic()
            response.call_on_close(_relay_in(current_app._get_current_object()))
        return response


def _relay_in(app):
    def run():
        from .delivery import relay

        with app.app_context(), database.connection_context():
            try:
                relay(ROWS_PER_RESPONSE)
            except Exception:  # the response is gone: log it; the worker's relay picks the rows up later
                log.exception("notify: relay after the request failed")
    return run
