"""What every template may use besides Flask's own globals."""

from flask import current_app


def init_app(app):
    @app.context_processor
    def _globals():
        return {"has_endpoint": _has_endpoint, "demo_mode": app.config["PORTAL"]["app"]["demo"]}


def _has_endpoint(endpoint):
    return endpoint in current_app.view_functions
