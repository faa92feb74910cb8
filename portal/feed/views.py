"""The feed page (/feed), its live count in the header, and /api/v1/feed."""

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..items import pickers
from ..items.serialize import person, stamp
from ..kernel import htmx
from ..kernel.errors import Forbidden, Invalid
from ..kernel.forms import record_id
from . import queries

bp = Blueprint("feed", __name__, url_prefix="/feed")
api = Blueprint("feed_api", __name__, url_prefix="/api/v1/feed")
PER_PAGE = 30


def _require_roles():
    if not current_user.has_role("leader", "supervisor", "handler"):
        raise Forbidden(_("The feed is for leaders, supervisors and handlers."))


def _args():
    kinds = [kind for value in request.args.getlist("kind") for kind in value.split(",") if kind]
    unknown = [k for k in kinds if k not in queries.KIND_LABELS]
    before = request.args.get("before", "")
    errors = {}
    if unknown:
        errors["kind"] = _("Choose one of: %(choices)s.", choices=", ".join(queries.KIND_LABELS))
    if before and not (before.isascii() and before.isdigit() and len(before) < 19):
        errors["before"] = _("Must be a whole number.")
    if errors:
        raise Invalid(_("Some of the input is not valid."), fields=errors)
    return kinds, request.args.get("department", "").strip() or None, int(before) if before else None


@bp.get("")
@login_required
def index():
    """The feed, newest first, unread ones marked. The GET changes nothing (an image elsewhere pointing here
    must not mark it read): the page posts ``feed.seen`` once loaded."""
    _require_roles()
    kinds, department, before = _args()
    seen = queries.last_seen(current_user)
    rows, has_more = queries.page_of(current_user, kinds, department, before, PER_PAGE)
    context = {"rows": rows, "has_more": has_more, "seen": seen, "kinds": kinds, "department": department or "",
               "kind_labels": queries.KIND_LABELS, "kind_of": queries.kind_of,
               "department_options": pickers.department_options()}
    return htmx.render("feed/index.html", "feed/_list.html", **context)


@bp.post("/seen")
@login_required
def seen():
    """Mark the feed read up to ``upto``, the newest entry the page showed (posted by the page once loaded,
    so an entry come since stays unread), or all of it; the header's count follows."""
    _require_roles()
    queries.mark_seen(current_user, request.form.get("upto", type=record_id))
    return htmx.trigger(htmx.redirect(url_for("feed.index")) if not htmx.is_htmx()
                        else current_app.response_class("", 200), "feed-read")


@bp.get("/count")
@login_required
def count():
    """The live count beside the Feed link (polled)."""
    _require_roles()
    return render_template("feed/_badge.html", feed_unread=queries.unread_count(current_user))


@api.before_request
def _signed_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    _require_roles()
    return None


def _event(ev, seen, user):
    return {"id": ev.id, "kind": queries.kind_of(ev), "action": ev.action,
            "item": {"number": ev.item.number, "title": ev.item.title}, "actor": person(ev.actor),
            "comment": ev.comment, "decision": (ev.data or {}).get("decision"), "to_state": ev.to_state,
            "created_at": stamp(ev.created_at), "unread": ev.id > seen and ev.actor_id != user.id}


@api.get("")
def feed():
    kinds, department, before = _args()
    seen = queries.last_seen(current_user)
    rows, has_more = queries.page_of(current_user, kinds, department, before, PER_PAGE)
    return jsonify({"events": [_event(ev, seen, current_user) for ev in rows], "has_more": has_more,
                    "unread": queries.unread_count(current_user)})


@api.post("/read")
def read():
    return jsonify({"last_seen": queries.mark_seen(current_user), "unread": 0})
