"""Downloads: the item list and the statistics as XLSX (pages); the circular, import and calendar feed."""

from flask import Blueprint, request, send_file
from flask_login import current_user, login_required

from ..calendar import local_today
from ..items.views import list_filters
from ..stats import periods
from ..stats.access import visible_department_ids
from ..stats.services import statistics_for
from . import exports

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
