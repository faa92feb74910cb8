"""/admin/calendar: the years entered, their holidays and worked weekends, edits and table import."""

import datetime

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import login_required

from ..auth.guards import roles_required
from ..kernel.errors import Invalid
from ..kernel.htmx import redirect
from . import services

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")
notes = Blueprint("calendar_notes", __name__, url_prefix="/calendar")


@notes.get("/year-warning")
@login_required
def year_warning():
    """The warning under a deadline field when the date's year has no holiday calendar (or nothing)."""
    return render_template("calendar/_year_warning.html", value=request.args.get("deadline", ""))

SOURCE_LABELS = {"chinese_calendar": _l("Built-in official calendar"), "import": _l("Imported table"),
                 "admin": _l("Edited by an administrator")}


@bp.context_processor
def _labels():
    return {"calendar_source_labels": SOURCE_LABELS}


def _year_arg(default):
    year = request.args.get("year", type=int)
    return year if year and 1900 < year < 2200 else default


def _page(year, errors=None, status=200, form=None):
    today = services.local_today()
    return render_template("calendar/admin.html", status=services.year_status(today), year=year,
                           days=services.holidays_of(year), errors=errors or {}, form=form or {},
                           today=today), status


@bp.get("")
@roles_required("admin")
def admin():
    return _page(_year_arg(services.local_today().year))


@bp.post("/days")
@roles_required("admin")
def set_day():
    form = request.form
    errors = {}
    try:
        day = datetime.date.fromisoformat(form.get("day", "").strip())
    except ValueError:
        day = None
        errors["day"] = _("Must be a date like 2026-12-31.")
    if form.get("workday") not in ("0", "1"):
        errors["workday"] = _("Choose whether the day is worked.")
    if errors:
        return _page(_year_arg(services.local_today().year), errors, 422, form)
    services.set_day(day, form["workday"] == "1", form.get("name", "").strip()[:64])
    flash(_("%(day)s saved.", day=day.isoformat()), "success")
    return redirect(url_for("calendar.admin", year=day.year))


@bp.post("/days/<day>/delete")
@roles_required("admin")
def remove_day(day):
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        return _page(services.local_today().year, {"day": _("Must be a date like 2026-12-31.")}, 422)
    services.remove_day(date)
    flash(_("%(day)s removed: it follows the weekend rule again.", day=date.isoformat()), "success")
    return redirect(url_for("calendar.admin", year=date.year))


@bp.post("/years/<int:year>/confirm")
@roles_required("admin")
def confirm_year(year):
    services.confirm_year(year)
    flash(_("%(year)s marked as entered.", year=year), "success")
    return redirect(url_for("calendar.admin", year=year))


@bp.post("/seed")
@roles_required("admin")
def seed():
    years = services.seed_known_years()
    if years:
        flash(_("Loaded the official calendar for %(years)s.", years=", ".join(map(str, years))), "success")
    else:
        flash(_("No further years are known to the built-in calendar; import them as a table."), "info")
    return redirect(url_for("calendar.admin"))


@bp.post("/import")
@roles_required("admin")
def import_table():
    upload = request.files.get("file")
    text = request.form.get("table", "")
    field = "table"
    if upload is not None and upload.filename:
        field = "file"
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(services.local_today().year, {"file": _("The file must be UTF-8 text (CSV or TSV).")}, 422)
    try:
        counts = services.import_table(text)
    except Invalid as exc:
        return _page(services.local_today().year, {field: exc.fields["file"]}, 422, request.form)
    flash(_("Imported: %(summary)s.", summary=", ".join(f"{y} ({n})" for y, n in counts.items())), "success")
    return redirect(url_for("calendar.admin", year=min(counts)))


@bp.post("/notice")
@roles_required("admin")
def import_notice():
    """Import a year's State Council notice (lines ``2027-02-10~2027-02-16 春节 休``), all or nothing."""
    try:
        counts = services.import_notice(request.form.get("notice", ""))
    except Invalid as exc:
        return _page(services.local_today().year, {"notice": exc.fields["notice"]}, 422, request.form)
    flash(_("Imported: %(summary)s.", summary=", ".join(f"{y} ({n})" for y, n in counts.items())), "success")
    return redirect(url_for("calendar.admin", year=min(counts)))
