"""The role's home board at /: panels that each load and refresh as their own fragment."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from .. import htmx
from ..calendar import local_today
from . import boards

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """The board of the user's roles: every panel rendered, each refreshing itself later."""
    today = local_today()
    keys = boards.panels_for(current_user)
    panels = [boards.html(current_user, key, today) for key in keys]
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
