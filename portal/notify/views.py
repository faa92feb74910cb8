"""Notification pages: /notifications, the nav badge, one's settings."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel.htmx import is_htmx, redirect, render, trigger
from ..kernel.paging import page_arg
from . import services
from .channels import email_enabled
from .messages import kind_label, kind_labels, page_of as notification_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


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
    return render_template("notify/_badge.html", notification_unread=services.unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id):
    notification = services.mark_read(current_user, notification_id)
    if is_htmx():
        response = render("notify/index.html", "notify/_row.html", row=notification, kind_label=kind_label)
        return trigger(response, "notifications-changed")
    return redirect(url_for("notifications.index"))


@bp.post("/<int:notification_id>/open", endpoint="open")
@login_required
def open_(notification_id):
    """Open a notification: it is read from now on, and the browser goes where it points (its item, petition,
    digest; the list when it points nowhere). A POST, so that a GET never changes anything."""
    notification = services.mark_read(current_user, notification_id)
    return redirect(notification_page(notification) or url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    count = services.mark_all_read(current_user)
    flash(_("%(count)d notifications marked read.", count=count), "success")
    return trigger(redirect(url_for("notifications.index")), "notifications-changed")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "POST":
        services.set_email_choices(current_user, request.form.getlist("email"),
                                   email_on=request.form.get("email_on") == "1")
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notify/settings.html", choices=services.email_choices(current_user),
                           email_on=services.wants_any_email(current_user), labels=kind_labels(),
                           email_enabled=email_enabled())
