"""Notification pages (/notifications, the nav badge, settings), the admin's pages and the JSON API."""

from flask import Blueprint, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.guards import roles_required
from ..errors import Invalid
from ..htmx import is_htmx, redirect, render, trigger
from ..paging import page_arg
from . import relay_after_request, services
from .cli import remind
from .channels import email_enabled
from .messages import KIND_LABELS, kind_label
from .models import ROBOT_KINDS

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
admin_bp = Blueprint("notify", __name__, url_prefix="/admin/notifications")
api_bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")

ROBOT_LABELS = {"wecom": "企业微信 WeCom", "dingtalk": "钉钉 DingTalk", "feishu": "飞书 Feishu"}


def init_app(app):
    for blueprint in (bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
    relay_after_request(app)
    app.cli.add_command(remind)
    app.jinja_env.globals["unread_notifications"] = lambda: services.unread_count(current_user)


@bp.get("")
@login_required
def index():
    page = page_arg()
    rows, has_more = services.notifications_of(current_user, page)
    return render("notify/index.html", "notify/_list.html", rows=rows, current_page=page, has_more=has_more,
                  kind_label=kind_label)


@bp.get("/badge")
@login_required
def badge():
    return render_template("notify/_badge.html", unread=services.unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    notification = services.mark_read(current_user, notification_id)
    if is_htmx():
        response = render("notify/index.html", "notify/_row.html", row=notification, kind_label=kind_label)
        return trigger(response, "notifications-changed")
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    count = services.mark_all_read(current_user)
    flash(_("%(count)d notifications marked read.", count=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "POST":
        services.set_email_choices(current_user, request.form.getlist("email"))
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notify/settings.html", choices=services.email_choices(current_user),
                           labels=KIND_LABELS, email_enabled=email_enabled())


@admin_bp.get("")
@roles_required("admin")
def failures():
    page = page_arg()
    rows, has_more, errors = services.failures(page)
    return render("notify/failures.html", "notify/_failures.html", rows=rows, errors=errors, current_page=page,
                  has_more=has_more, kind_label=kind_label)


@admin_bp.post("/<int:outbox_id>/retry")
@roles_required("admin")
def retry(outbox_id):
    services.retry(outbox_id)
    flash(_("The notification is queued for delivery again."), "success")
    return redirect(url_for("notify.failures"))


@admin_bp.route("/robots", methods=["GET", "POST"])
@roles_required("admin")
def robots():
    errors, status, saved = {}, 200, None
    if request.method == "POST":
        department_id = request.form.get("department", type=int)
        secret = request.form.get("secret", "").strip()
        try:
            robot = services.set_robot(department_id, request.form.get("kind", ""), request.form.get("url", ""),
                                       secret, clear_secret=request.form.get("clear_secret") == "1")
        except Invalid as exc:
            errors, status = {department_id: exc.fields}, 422
        else:
            if not secret:
                flash(_("The group robot settings are saved."), "success")
                return redirect(url_for("notify.robots"))
            # A new secret is shown this once (never put into the flash: the session cookie is only signed).
            saved = (robot.department.name, secret)
    return render_template("notify/robots.html", rows=services.robots(), kinds=ROBOT_KINDS,
                           robot_labels=ROBOT_LABELS, errors=errors, saved=saved,
                           masked=services.masked), status


def _as_json(row):
    return {
        "id": row.id,
        "kind": row.kind,
        "label": str(kind_label(row.kind)),
        "title": row.title,
        "body": row.body,
        "item": row.item.number if row.item_id else None,
        "created_at": row.created_at.isoformat() + "Z",
        "read": row.read_at is not None,
        "read_at": row.read_at.isoformat() + "Z" if row.read_at else None,
    }


@api_bp.get("/notifications")
@login_required
def api_list():
    page = page_arg()
    per_page = min(max(request.args.get("per_page", services.PER_PAGE, type=int), 1), 100)
    unread_only = request.args.get("unread", "").lower() in ("1", "true", "yes")
    rows, has_more = services.notifications_of(current_user, page, per_page, unread_only)
    return jsonify({"notifications": [_as_json(r) for r in rows], "page": page, "per_page": per_page,
                    "has_more": has_more, "unread": services.unread_count(current_user)})


@api_bp.post("/notifications/<int:notification_id>/read")
@login_required
def api_read(notification_id):
    return jsonify(_as_json(services.mark_read(current_user, notification_id)))
