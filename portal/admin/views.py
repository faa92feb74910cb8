"""/admin/: the index of admin tools, users with role overrides, departments."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.guards import roles_required
from ..auth.models import ROLES
from ..auth.roles import ORIGIN_LABELS, SIGN_IN_REASONS, SOURCE_LABELS
from ..kernel.errors import Invalid
from ..kernel.htmx import is_htmx, redirect, render
from ..kernel.paging import page_arg
from . import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def _labels():
    return {"account_source_labels": SOURCE_LABELS, "origin_labels": ORIGIN_LABELS}


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")


@bp.get("/users")
@roles_required("admin")
def users():
    q = request.args.get("q", "").strip()
    page = page_arg()
    rows, total = services.users_page(q, page)
    return render("admin/users.html", "admin/_users.html", users=rows, total=total, q=q, current_page=page,
                  per_page=services.PER_PAGE, all_roles=ROLES)


def _after_change(user, message=None, status=200):
    """htmx gets the user's row again; a plain form post goes back to the list."""
    if is_htmx():
        return render_template("admin/_user_row.html", user=user, all_roles=ROLES,
                               error=message), status
    if message:
        flash(message, "error")
    return redirect(url_for("admin.users", q=user.username))


@bp.post("/users/<int:user_id>/overrides")
@roles_required("admin")
def add_override(user_id):
    try:
        user = services.add_override(user_id, request.form.get("role", ""))
    except Invalid as exc:
        return _after_change(services.user_or_404(user_id), exc.message, 422)
    return _after_change(user)


@bp.post("/users/<int:user_id>/overrides/<role>/delete")
@roles_required("admin")
def remove_override(user_id, role):
    return _after_change(services.remove_override(user_id, role))


@bp.post("/users/<int:user_id>/sign-out")
@roles_required("admin")
def sign_out_everywhere(user_id):
    user, ended, revoked = services.sign_out_everywhere(user_id)
    message = _("%(name)s is signed out everywhere: %(sessions)d session(s) ended, %(tokens)d API token(s) revoked.",
                name=user.display_name, sessions=ended, tokens=revoked)
    if is_htmx():
        return render_template("admin/_user_row.html", user=user, all_roles=ROLES, notice=message)
    flash(message, "success")
    return redirect(url_for("admin.users", q=user.username))


@bp.get("/departments")
@roles_required("admin")
def departments():
    return render_template("admin/departments.html", departments=services.departments(), errors={})


@bp.post("/departments/<int:department_id>")
@roles_required("admin")
def rename_department(department_id):
    try:
        services.rename_department(department_id, request.form.get("name", ""))
    except Invalid as exc:
        return render_template("admin/departments.html", departments=services.departments(),
                               errors={department_id: exc.fields["name"]}), 422
    return redirect(url_for("admin.departments"))


@bp.get("/sign-ins")
@roles_required("admin")
def sign_ins():
    username = request.args.get("username", "").strip()
    failed = request.args.get("failed") == "1"
    page = page_arg()
    events, total = services.sign_ins_page(username, failed, page)
    return render("admin/sign_ins.html", "admin/_sign_ins.html", events=events, total=total,
                  username=username, failed=failed, current_page=page, per_page=services.PER_PAGE,
                  reasons=SIGN_IN_REASONS)


def _confirm_admin(fields):
    """Re-authenticate the administrator (auth/reauth, as for an API token): a stolen session alone must
    not be enough to set someone's password. Its error joins ``fields`` as ``admin_password``."""
    from flask_login import current_user

    from ..auth import reauth

    if not reauth.asks_password(current_user, request):
        return reauth.confirm(current_user, None, request)
    try:
        reauth.confirm(current_user, request.form.get("admin_password", ""), request)
    except Invalid as exc:
        fields["admin_password"] = exc.fields.get("password", exc.message)


def _asks_password():
    from flask_login import current_user

    from ..auth import reauth

    return reauth.asks_password(current_user, request)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    """Create a local account (as ``flask create-user`` does), each field checked."""
    from flask_login import current_user

    errors, status = {}, 200
    if request.method == "POST":
        _confirm_admin(errors)
        values = None
        try:
            values = services.read_new_user(request.form)
        except Invalid as exc:
            errors.update(exc.fields)
        try:
            if errors:
                raise Invalid(_("Some of the input is not valid."), fields=errors)
            user = services.create_local_user(current_user, values)
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            flash(_("%(name)s can now sign in as %(username)s.", name=user.display_name, username=user.username),
                  "success")
            return redirect(url_for("admin.users", q=user.username))
    return render_template("admin/user_new.html", errors=errors, form=request.form, all_roles=ROLES,
                           department_options=[("", "—")] + [(d.code, d.name) for d in services.departments()
                                                             if d.active],
                           asks_password=_asks_password()), status


@bp.post("/users/<int:user_id>/deactivate")
@roles_required("admin")
def deactivate_user(user_id):
    from flask_login import current_user

    user = services.deactivate_user(current_user, user_id)
    flash(_("%(name)s is deactivated and signed out.", name=user.display_name), "success")
    return redirect(url_for("admin.users", q=user.username))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required("admin")
def reset_password(user_id):
    """Set a new password for a local account; its sessions end."""
    from flask_login import current_user

    user = services.user_or_404(user_id)
    errors, status = {}, 200
    if request.method == "POST":
        _confirm_admin(errors)
        try:
            if errors:
                raise Invalid(_("Some of the input is not valid."), fields=errors)
            services.reset_password(current_user, user_id, request.form.get("password", ""),
                                    request.form.get("password_repeat", ""))
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            flash(_("The password of %(name)s is changed; they are signed out everywhere.", name=user.display_name),
                  "success")
            return redirect(url_for("admin.users", q=user.username))
    return render_template("admin/user_password.html", user=user, errors=errors,
                           asks_password=_asks_password()), status
