"""The inspection pages: list, plan, the inspection with its findings (recorded on a phone), photos, report."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..items import pickers
from ..kernel.security import accepts_bearer
from ..kernel import htmx
from ..kernel.clock import local_today
from ..kernel.errors import Conflict, Forbidden, Invalid
from ..kernel.paging import page_arg
from . import photos, services
from .photos import TooLarge

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
PER_PAGE = 20


@bp.before_request
@login_required
def _signed_in():
    """Every inspection page needs a signed-in user."""


def _form_data():
    data = {key: value for key, value in request.form.items() if key != "csrf_token"}
    for many in ("members", "items"):
        if many in request.form:
            data[many] = [v for value in request.form.getlist(many) for v in services.split_list(value) or []]
    return data


@bp.get("")
def index():
    """The inspections this user may see, newest first; the rows alone for htmx."""
    page = page_arg()
    query = services.visible_inspections(current_user)
    total = query.count()
    rows = list(query.paginate(page, PER_PAGE))
    return htmx.render("inspections/list.html", "inspections/_results.html", rows=rows, total=total,
                       page_number=page, per_page=PER_PAGE, args={},
                       can_plan=current_user.has_role("supervisor"))


def _member_options():
    seen, options = set(), []
    for role in services.BUSINESS_ROLES:
        for username, label in pickers.people_options(role):
            if username not in seen:
                seen.add(username)
                options.append((username, label))
    return options


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Plan an inspection (supervisors)."""
    if not current_user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors plan inspections."))
    errors, status = {}, 200
    values = {"date": local_today().isoformat(), "members": [current_user.username], "items": ""}
    if request.method == "POST":
        data = _form_data()
        try:
            inspection = services.plan(current_user, data)
        except Invalid as exc:
            errors, status = dict(exc.fields) or {"_form": exc.message}, 422
            values = {**data, "items": " ".join(data.get("items") or [])}
        else:
            flash(_("The inspection is planned."), "success")
            return htmx.redirect(url_for("inspections.detail", inspection_id=inspection.id))
    return render_template("inspections/form.html", values=values, errors=errors,
                           member_options=_member_options()), status


def _detail(inspection, status=200, errors=None, values=None):
    findings = list(services.visible_findings(current_user, inspection))
    linked = services.linked_items(current_user, inspection)
    context = {
        "inspection": inspection, "findings": findings, "photos": services.photos_of(findings),
        "members": services.members(inspection),
        "linked": linked, "linked_options": [(i.number, f"{i.number} {i.title}") for i in linked],
        "is_member": services.is_member(current_user, inspection),
        "sees_every_finding": services.sees_every_finding(current_user, inspection),
        "can_convert": current_user.has_role("supervisor"),
        "can_note": current_user.has_role("supervisor", "leader"),
        "department_options": pickers.department_options() if current_user.has_role("supervisor") else [],
        "errors": errors or {}, "values": values or {"severity": "minor"},
    }
    return htmx.render("inspections/detail.html", "inspections/_inspection.html", status=status, **context)


@bp.get("/<int:inspection_id>")
def detail(inspection_id):
    """The inspection, its findings this user may see and, for members, the form to record one."""
    return _detail(services.get_visible(current_user, inspection_id))


@bp.post("/<int:inspection_id>/findings")
def record(inspection_id):
    """Record a finding with its photos; errors beside the fields (413 for a photo too large)."""
    inspection = services.get_visible(current_user, inspection_id)
    data = _form_data()
    try:
        finding = services.record_finding(current_user, inspection, data, request.files.getlist("photos"))
    except (Invalid, TooLarge) as exc:
        errors = {"record": dict(exc.fields) or {"_form": exc.message}}
        return _detail(inspection, status=exc.status, errors=errors, values=data)
    flash(_("The finding is recorded."), "success")
    return htmx.redirect(url_for("inspections.detail", inspection_id=inspection.id, _anchor=f"finding-{finding.id}"))


@bp.post("/<int:inspection_id>/findings/<int:finding_id>/convert")
def convert(inspection_id, finding_id):
    """Turn a finding into a new item (to its page) or a note on a linked item (back here)."""
    inspection = services.get_visible(current_user, inspection_id)
    finding = services.get_finding(current_user, inspection, finding_id)
    data = _form_data()
    try:
        outcome, item = services.convert(current_user, inspection, finding, data)
    except (Invalid, Conflict) as exc:
        errors = {f"convert-{finding.id}": dict(exc.fields) or {"_form": exc.message}}
        if isinstance(exc, Invalid) and exc.fields and not set(exc.fields) <= {"to", "item", "lead_department"}:
            errors[f"convert-{finding.id}"]["_form"] = "；".join(str(v) for v in exc.fields.values())
        return _detail(inspection, status=exc.status, errors=errors)
    if outcome == "new_item":
        flash(_("Item %(number)s is registered from the finding; complete and dispatch it.", number=item.number),
              "success")
        return htmx.redirect(url_for("items.detail", number=item.number))
    flash(_("The finding was sent to %(number)s as an urge.", number=item.number), "success")
    return htmx.redirect(url_for("inspections.detail", inspection_id=inspection.id, _anchor=f"finding-{finding.id}"))


@bp.get("/<int:inspection_id>/photos/<int:photo_id>")
@accepts_bearer
def photo(inspection_id, photo_id):
    """A finding's photo (cleaned of metadata), for those who may see the finding."""
    inspection = services.get_visible(current_user, inspection_id)
    return photos.serve(services.get_photo(current_user, inspection, photo_id))


@bp.get("/<int:inspection_id>/photos/<int:photo_id>/thumb")
@accepts_bearer
def thumb(inspection_id, photo_id):
    """A finding's photo as a small JPEG."""
    inspection = services.get_visible(current_user, inspection_id)
    return photos.serve(services.get_photo(current_user, inspection, photo_id), thumb=True)


@bp.get("/<int:inspection_id>/report")
def report(inspection_id):
    """The inspection report for A4 paper, with the findings this user may see and their photos."""
    inspection = services.get_visible(current_user, inspection_id)
    findings = list(services.visible_findings(current_user, inspection))
    return render_template("inspections/report.html", inspection=inspection, findings=findings,
                           photos=services.photos_of(findings), members=services.members(inspection),
                           linked=services.linked_items(current_user, inspection))
