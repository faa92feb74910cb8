"""Downloads: the item list and the statistics as XLSX (pages); the circular, import and calendar feed."""

from flask import Blueprint, abort, flash, make_response, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import htmx
from ..calendar import local_today
from ..items.views import list_filters
from ..stats import periods
from ..stats.access import visible_department_ids
from ..stats.services import statistics_for
from . import exports, feed

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(handle, name):
    response = send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/items/export.xlsx")
@login_required
def items_export():
    """The item list as filtered on /items (same URL arguments), every matching row, as XLSX."""
    handle = exports.items_workbook(current_user, list_filters(request.args))
    return _xlsx(handle, f"督办事项-{local_today().isoformat()}.xlsx")


@bp.get("/stats/export.xlsx")
@login_required
def stats_export():
    """The statistics of the period in the URL (``from``/``to`` or ``period``) as XLSX; same permissions."""
    visible_department_ids(current_user)
    period = periods.from_args(request.args)
    handle = exports.stats_workbook(statistics_for(current_user, period))
    return _xlsx(handle, f"督办统计-{period.start.isoformat()}-{period.end.isoformat()}.xlsx")


# --- the deadline calendar feed --------------------------------------------------

@bp.get("/feeds/<token>.ics")
def calendar_feed(token):
    """The iCalendar feed at its secret URL (no sign-in: calendar clients have no session); 404 when unknown."""
    user = feed.user_for_token(token)
    if user is None:
        abort(404)
    response = make_response(feed.calendar_for(user))
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/profile/calendar-feed")
@login_required
def rotate_calendar_feed():
    """Create the calendar feed, or give it a new URL; the old one stops working at once."""
    had_feed = feed.feed_of(current_user) is not None
    feed.rotate(current_user)
    flash(_("The calendar feed has a new address; the old one no longer works.") if had_feed
          else _("Your calendar feed is ready: subscribe to its address in your calendar."), "success")
    return htmx.redirect(url_for("auth.profile") + "#calendar-feed")
