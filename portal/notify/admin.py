"""The admin's notification pages: failed deliveries with retry, group robots per department."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.guards import roles_required
from ..kernel.errors import Invalid
from ..kernel.htmx import redirect, render
from ..kernel.paging import page_arg
from . import services
from .messages import kind_label
from .models import ROBOT_KINDS

bp = Blueprint("notify", __name__, url_prefix="/admin/notifications")

ROBOT_LABELS = {"wecom": "企业微信 WeCom", "dingtalk": "钉钉 DingTalk", "feishu": "飞书 Feishu"}


@bp.get("")
@roles_required("admin")
def failures():
    page = page_arg()
    rows, has_more, errors = services.failures(page)
    return render("notify/failures.html", "notify/_failures.html", rows=rows, errors=errors, current_page=page,
                  has_more=has_more, kind_label=kind_label)


@bp.post("/<int:outbox_id>/retry")
@roles_required("admin")
def retry(outbox_id):
    services.retry(outbox_id)
    flash(_("The notification is queued for delivery again."), "success")
    return redirect(url_for("notify.failures"))


@bp.route("/robots", methods=["GET", "POST"])
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
            if robot is None or not secret:
                flash(_("The group robot settings are saved."), "success")
                return redirect(url_for("notify.robots"))
            # A new secret is shown this once (never put into the flash: the session cookie is only signed).
            saved = (robot.department.name, secret)
    return render_template("notify/robots.html", rows=services.robots(), kinds=ROBOT_KINDS,
                           robot_labels=ROBOT_LABELS, errors=errors, saved=saved,
                           masked=services.masked), status
