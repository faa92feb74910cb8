"""The role's home board at /: panels that each load and refresh as their own fragment."""

from flask import Blueprint, abort, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..calendar import loaded_at as calendar_loaded_at
from ..kernel import changes, htmx
from ..kernel.clock import local_today
from . import boards

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """The board of the user's roles: every panel rendered, each refreshing itself later.

    The whole page is kept (changes.memo) while nothing on it can have changed: its key holds the
    change counters the request read with the session (the boards' and the user's own: notifications,
    feed, reading), the user as the navigation shows them, the session's CSRF secret, the language, the
    day and the calendar. A page with a message to flash, or asked for with a query string, is rendered
    afresh.
    """
    today = local_today()
    if session.get("_flashes") or request.args:
        return _board(today)
    generate_csrf()  # the session's CSRF secret exists from here on
    user = current_user
    key = ("board-page", *changes.viewer(user), user.display_name,
           user.department.name if user.department_id else None, session["csrf_token"], str(get_locale()),
           today, calendar_loaded_at(),
           *(changes.current(name) for name in changes.request_counters(user.id)))
    return changes.memo(key, lambda: _board(today))


def _board(today):
    keys = boards.panels_for(current_user)
    panels = [dict(boards.load(current_user, key, today), key=key) for key in keys]
    figures = boards.month_figures(current_user, today) if current_user.has_role("leader") else None
    return render_template("home/index.html", user=current_user, panels=panels, figures=figures, today=today)


@bp.get("/board/<key>")
@login_required
def panel(key):
    """One panel of this user's board (a fragment for htmx); 404 for a panel not on their board."""
    if key not in boards.panels_for(current_user):
        abort(404)
    data = boards.load(current_user, key, local_today())
    return htmx.render("home/panel.html", "home/_panel.html", key=key, **data)
