"""/trainings: the list with my learning record, a training's page (enrol, cancel, attendance), new, .ics."""

from flask import Blueprint, flash, make_response, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel.security import accepts_bearer
from ..kernel.clock import local_now
from ..kernel.errors import Conflict, Invalid
from ..kernel.htmx import redirect, render
from ..kernel.paging import page_arg
from . import services

bp = Blueprint("trainings", __name__, url_prefix="/trainings")


@bp.context_processor
def _globals():
    return {"may_organise": services.may_organise(current_user)}


@bp.get("")
@login_required
def index():
    past = request.args.get("when") == "past"
    page = page_arg()
    rows, total = services.list_trainings(page, upcoming=not past)
    attended, hours = services.learning_record(current_user)
    args = {"when": "past"} if past else {}
    return render("training/index.html", "training/_list.html", rows=rows, total=total, page_number=page,
                  per_page=services.PER_PAGE, args=args, past=past, attended=attended, hours=hours)


def _form():
    form = request.form
    return {k: form.get(k, "") for k in ("title", "starts_at", "ends_at", "place", "trainer", "capacity",
                                         "enrol_until", "description", "materials")}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_organiser(current_user)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = _form()
        try:
            training = services.create_training(current_user, values)
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            return redirect(url_for("trainings.detail", training_id=training.id))
    return render_template("training/form.html", values=values, errors=errors), status


def _detail_context(training, **extra):
    return dict(training=training, enrolled=services.enrolled_count(training.id),
                mine=services.is_enrolled(current_user, training.id),
                enrolments=services.enrolments(training.id) if services.may_organise(current_user) else [],
                materials=services.materials(current_user, training.id), files=services.files(training.id), open=local_now() <= training.enrol_until,
                **extra)


@bp.get("/<int:training_id>")
@login_required
def detail(training_id):
    return render_template("training/detail.html", **_detail_context(services.get(training_id)))


@bp.post("/<int:training_id>/enrolment")
@login_required
def enrolment(training_id):
    training = services.get(training_id)
    cancel = request.form.get("cancel") == "1"
    try:
        if cancel:
            services.cancel(current_user, training.id)
        else:
            services.enrol(current_user, training.id)
    except Conflict as exc:
        return render("training/detail.html", "training/_enrolment.html", status=409,
                      **_detail_context(training, error=exc.message))
    return render("training/detail.html", "training/_enrolment.html", **_detail_context(training))


@bp.post("/<int:training_id>/attendance")
@login_required
def attendance(training_id):
    training = services.get(training_id)
    # The sheet: one row per enrolled person (a username, then present-<username> and note-<username>).
    rows = [{"username": name, "present": request.form.get(f"present-{name}", ""),
             "note": request.form.get(f"note-{name}", "")} for name in request.form.getlist("username")]
    try:
        services.record_attendance_sheet(current_user, training.id, rows,
                                         all_present=request.form.get("all_present") == "1")
    except Invalid as exc:
        return render_template("training/detail.html", **_detail_context(
            training, attendance_errors=exc.fields, attendance_values=rows)), 422
    flash(_("Attendance saved."), "success")
    return redirect(url_for("trainings.detail", training_id=training.id))


@bp.post("/<int:training_id>/files")
@login_required
def upload(training_id):
    training = services.get(training_id)
    try:
        services.add_file(current_user, training.id, request.files.get("file"))
    except Invalid as exc:
        return render_template("training/detail.html", **_detail_context(
            training, upload_error=exc.fields.get("file", exc.message))), 422
    return redirect(url_for("trainings.detail", training_id=training.id))


@bp.get("/<int:training_id>/files/<int:file_id>")
@login_required
@accepts_bearer
def download(training_id, file_id):
    found, path = services.file_for_download(training_id, file_id)
    return send_file(path, as_attachment=True, download_name=found.original_name,
                     mimetype="application/octet-stream")


@bp.get("/<int:training_id>.ics")
@login_required
@accepts_bearer
def calendar(training_id):
    training = services.get(training_id)
    response = make_response(services.ics(training, request.host.split(":")[0]))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="training-{training.id}.ics"'
    return response
