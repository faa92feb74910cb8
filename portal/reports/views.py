"""Downloads: the item list and the statistics as XLSX (pages); the circular, import and calendar feed."""

import io
import secrets

from flask import (Blueprint, abort, current_app, flash, jsonify, make_response, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..items.views import list_filters
from ..kernel.security import accepts_bearer
from ..kernel import htmx, quotas
from ..kernel.api import json_body
from ..kernel.clock import local_today
from ..kernel.errors import Forbidden, Invalid, NotFound
from ..stats import periods
from ..stats.access import visible_department_ids
from ..stats.services import statistics_for
from . import feed, jobs

# exports and imports are imported where used: openpyxl costs each web worker ~12 MB, for a download
# that few requests ask for.

bp = Blueprint("reports", __name__)
api = Blueprint("reports_api", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(handle, name):
    response = send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/items/export.xlsx")
@login_required
@quotas.limited("exports")
def items_export():
    """The item list as filtered on /items (same URL arguments), every matching row, as XLSX."""
    from . import exports

    handle = exports.items_workbook(current_user, list_filters(request.args))
    return _xlsx(handle, f"督办事项-{local_today().isoformat()}.xlsx")


@bp.get("/stats/export.xlsx")
@login_required
@quotas.limited("exports")
def stats_export():
    """The statistics of the period in the URL (``from``/``to`` or ``period``) as XLSX; same permissions."""
    from . import exports

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


# --- the circular (督查通报) and report jobs ----------------------------------------

def _require_office(user):
    """The circular covers every department: leaders and supervisors only."""
    if not user.has_role("leader", "supervisor"):
        raise Forbidden(_("The circular is made by leaders and supervisors."))


def _circular_values(source):
    values = {key: (source.get(key) or "").strip() for key in ("period", "from", "to")}
    values["requirements"] = source.get("requirements")
    return values


def _checked_circular(values):
    """(period, requirements) of the form or the API; 422 with a message per field."""
    from .circular_content import REQUIREMENTS_MAX, settings

    errors = {}
    try:
        period = periods.from_args(values)
    except Invalid as exc:
        period, errors = None, dict(exc.fields)
    requirements = values.get("requirements")
    requirements = settings()["requirements"] if requirements is None else str(requirements).replace("\r\n", "\n")
    requirements = requirements.strip()
    if not requirements:
        errors["requirements"] = _("Write the requirements paragraph.")
    elif len(requirements) > REQUIREMENTS_MAX:
        errors["requirements"] = _("At most %(n)s characters.", n=REQUIREMENTS_MAX)
    if errors:
        raise Invalid(_("Some of the input is not valid."), fields=errors)
    return period, requirements


def _start_circular(values):
    _require_office(current_user)
    period, requirements = _checked_circular(values)
    return jobs.start(current_user, "circular", {"from": period.start.isoformat(), "to": period.end.isoformat(),
                                                 "requirements": requirements}, "reports.make_circular")


def _circular_form(values, errors, status=200, preview=None):
    return htmx.render("reports/circular.html", "reports/_circular_preview.html", status=status, values=values,
                       errors=errors, preview=preview)


@bp.route("/reports/circular", methods=["GET", "POST"])
@login_required
def circular_page():
    """The form for a circular of a period, with its requirements paragraph and a preview of the text;
    posting ``action=preview`` shows the preview (the fragment alone for htmx), otherwise starts the job."""
    from .circular_content import compose, settings

    _require_office(current_user)
    values = _circular_values(request.values)
    if request.method == "GET" and not values["from"] and not values["to"]:
        period = periods.from_args(values)
        values.update({"from": period.start.isoformat(), "to": period.end.isoformat(), "period": ""})
    if values["requirements"] is None:
        values["requirements"] = settings()["requirements"]
    try:
        period, requirements = _checked_circular(values)
    except Invalid as exc:
        return _circular_form(values, exc.fields, status=422 if request.method == "POST" else 200)
    if request.method == "POST" and request.form.get("action") != "preview":
        job = _start_circular(values)
        return htmx.redirect(url_for("reports.job_page", job_id=job.id))
    return _circular_form(values, {}, preview=compose(current_user, period, requirements))


@bp.get("/reports/jobs/<int:job_id>")
@login_required
def job_page(job_id):
    """A job's progress bar (the fragment polls itself until the job ends), then its download; 404 if not yours."""
    job = jobs.job_of(current_user, job_id)
    return htmx.render("reports/job.html", "reports/_job.html", job=job, state=jobs.as_json(job))


@bp.get("/reports/jobs/<int:job_id>/download")
@login_required
@accepts_bearer
def job_download(job_id):
    """The finished job's file, for its owner only."""
    job = jobs.job_of(current_user, job_id)
    if job.state != "finished":
        raise NotFound(_("The file is not ready."))
    if not job.file_path:
        raise NotFound(_("The file was deleted after a week; make it again."))
    mimetype = XLSX if job.file_name.endswith(".xlsx") else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return send_file(job.file_path, as_attachment=True, download_name=job.file_name, mimetype=mimetype)


@api.before_request
def _reports_api_signed_in():
    """The API answers 401 (JSON) without a session or token."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@api.post("/reports/circular")
def api_circular():
    """Start a circular for ``from``/``to`` (JSON or form): 202 {"job"}; leaders and supervisors."""
    body = json_body() if request.is_json else request.form
    values = {key: str(body.get(key) or "").strip() for key in ("period", "from", "to")}
    values["requirements"] = body.get("requirements")
    job = _start_circular(values)
    return jsonify({"job": job.id, **jobs.as_json(job)}), 202


@api.get("/jobs/<int:job_id>")
def api_job(job_id):
    """{"state", "progress", "result", "download"} of one of your jobs; 404 for anyone else's."""
    return jsonify(jobs.as_json(jobs.job_of(current_user, job_id)))


# --- import of the year's key tasks (全年重点工作) --------------------------------------

XLSX_UPLOAD_NAME = "import-{token}.xlsx"


def _require_supervisor(user):
    if not user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors import key tasks."))


def _start_import(upload):
    """Check the uploaded workbook (422 for a bad file, nothing imported) and start its import job."""
    _require_supervisor(current_user)
    if upload is None or not upload.filename:
        raise Invalid(_("Choose the filled-in template (.xlsx)."), fields={"file": _("Choose the filled-in template (.xlsx).")})
    from . import imports

    data = imports.check_file(upload.read())
    name = XLSX_UPLOAD_NAME.format(token=secrets.token_hex(16))
    (jobs.reports_folder() / name).write_bytes(data)
    return jobs.start(current_user, "key_task_import", {"file": name, "name": upload.filename[:200]},
                      "reports.import_key_tasks")


@bp.get("/items/import/template.xlsx")
@login_required
def import_template():
    """The key-task template: the sheet to fill in and a sheet explaining the columns and valid values."""
    from . import imports

    _require_supervisor(current_user)
    return _xlsx(io.BytesIO(imports.template()), "全年重点工作导入模板.xlsx")


@bp.route("/items/import", methods=["GET", "POST"])
@login_required
def import_page():
    """Upload the filled-in template; the import runs as a job whose page shows the row report."""
    _require_supervisor(current_user)
    if request.method == "POST":
        try:
            job = _start_import(request.files.get("file"))
        except Invalid as exc:
            return render_template("reports/import.html", errors=exc.fields or {"file": exc.message}), 422
        return htmx.redirect(url_for("reports.job_page", job_id=job.id))
    return render_template("reports/import.html", errors={})


@api.post("/imports/key-tasks")
def api_import():
    """Import key tasks from the uploaded template (multipart ``file``): 202 {"job"}; 422 for a bad file."""
    job = _start_import(request.files.get("file"))
    return jsonify({"job": job.id, **jobs.as_json(job)}), 202
