"""Delegations (代签): an admin names who decides for a leader while they are away.

Only an item's own leader decides its extensions, approves its closure, rates,
cancels or reopens it (workflow.Action.own_leader); a delegate does so for the
days named here. /admin/delegations lists them, names one and ends one.
"""

import datetime

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.forms import Fields
from ..auth.guards import roles_required
from ..auth.models import User
from ..kernel.changes import write_transaction
from ..kernel.clock import local_today
from ..kernel.errors import NotFound
from ..kernel.htmx import redirect
from .models import Delegation

bp = Blueprint("delegations", __name__, url_prefix="/admin/delegations")


def current_and_future():
    """Delegations not yet ended, soonest first, with both people loaded."""
    leader, delegate = User.alias(), User.alias()
    return list(Delegation.select(Delegation, leader, delegate)
                .join_from(Delegation, leader, on=(Delegation.leader == leader.id), attr="leader")
                .join_from(Delegation, delegate, on=(Delegation.delegate == delegate.id), attr="delegate")
                .where(Delegation.ends >= local_today()).order_by(Delegation.starts, Delegation.id))


def name_delegate(admin, data):
    """Name ``data['delegate']`` (a leader) to decide for ``data['leader']`` from ``starts`` to ``ends``."""
    fields = Fields(data)
    leader = fields.person("leader", "leader", required=True)
    delegate = fields.person("delegate", "leader", required=True)
    today = local_today()
    starts = fields.date("starts", required=False) or today
    ends = fields.date("ends")
    if leader is not None and delegate is not None and leader.id == delegate.id:
        fields.error("delegate", _("A leader cannot be their own delegate."))
    if ends is not None and ends < max(starts, today):
        fields.error("ends", _("The last day must not be before the first day or in the past."))
    fields.done()
    with write_transaction():
        return Delegation.create(leader=leader, delegate=delegate, starts=starts, ends=ends, created_by=admin)


def end_delegation(delegation_id):
    """End a delegation at once: it counted until yesterday; one that had not begun before today is gone."""
    delegation = Delegation.get_or_none(Delegation.id == delegation_id)
    if delegation is None:
        raise NotFound()
    yesterday = local_today() - datetime.timedelta(days=1)
    with write_transaction():
        if delegation.starts > yesterday:
            delegation.delete_instance()
        else:
            Delegation.update(ends=yesterday).where(Delegation.id == delegation.id).execute()


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def index():
    from flask_login import current_user

    from ..kernel.errors import Invalid

    errors, status = {}, 200
    if request.method == "POST":
        try:
            name_delegate(current_user, request.form.to_dict())
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            flash(_("The delegate is named."), "success")
            return redirect(url_for("delegations.index"))
    leaders = [(u.username, f"{u.display_name} ({u.username})") for u in
               User.select().where(User.active).order_by(User.username) if u.has_role("leader")]
    return render_template("admin/delegations.html", rows=current_and_future(), leaders=leaders, errors=errors,
                           values=request.form), status


@bp.post("/<int:delegation_id>/end")
@roles_required("admin")
def end(delegation_id):
    end_delegation(delegation_id)
    flash(_("The delegation has ended."), "success")
    return redirect(url_for("delegations.index"))
