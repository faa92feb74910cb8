"""Notifications: in-app, e-mail and group robots, delivered from a transactional outbox."""

import logging

from flask import current_app, g

from ..db import database

log = logging.getLogger(__name__)


def relay_after_request(app):
    """After a response whose request wrote outbox rows, relay them (they committed with the request).

    With Redis this only enqueues; without, it delivers right there, after the
    response went out, so a slow SMTP server never delays a page.
    """

    @app.after_request
    def _schedule_relay(response):
        if g.pop("notify_outbox_written", False):
            response.call_on_close(_relay_in(current_app._get_current_object()))
        return response


def _relay_in(app):
    def run():
        from .delivery import relay

        with app.app_context(), database.connection_context():
            try:
                relay()
            except Exception:  # the response is gone: log it; the worker's relay picks the rows up later
                log.exception("notify: relay after the request failed")
    return run
