"""Languages: Chinese first (zh_CN), English second; a user's choice is kept in the session."""

from flask import abort, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import Babel

LOCALES = ("zh_CN", "en")


def select_locale():
    chosen = session.get("locale") if has_request_context() else None
    if chosen in LOCALES:
        return chosen
    return current_app.config["PORTAL"]["app"]["locale"]


def init_app(app):
    Babel(app, locale_selector=select_locale)

    @app.post("/locale/<code>", endpoint="set_locale")
    def set_locale(code):
        if code not in LOCALES:
            abort(404)
        session["locale"] = code
        from .security import safe_next

        return redirect(safe_next(request.form.get("next")) or url_for("home.index"), code=303)

    @app.context_processor
    def _locale_context():
        return {"current_locale": select_locale(), "html_lang": select_locale().replace("_", "-")}
