"""What every template may use besides Flask's own globals."""

from flask import current_app

from .clock import shown_date, shown_datetime


def init_app(app):
    # The one way a template shows a time (kernel/clock.py): local, 2026-12-08 00:30 / 2026-12-08.
    app.jinja_env.filters["localtime"] = shown_datetime
    app.jinja_env.filters["localdate"] = shown_date

    @app.context_processor
    def _globals():
        return {"has_endpoint": _has_endpoint, "demo_mode": app.config["PORTAL"]["app"]["demo"]}


def _has_endpoint(endpoint):
    return endpoint in current_app.view_functions
