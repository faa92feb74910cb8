"""The petition pages: list, registration, the petition with its actions, hot issues.

Views are thin: the rules live in services/workflow; a view reads the form, calls one
service function and chooses page, fragment or redirect.
"""

from flask import Blueprint, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..items import pickers
from ..kernel import actionforms, htmx, quotas
from ..kernel.clock import local_today
from ..kernel.errors import Conflict, Forbidden, Invalid
from ..kernel.paging import page_arg
from . import hot as hot_issues, queries, services, workflow
from .detail import petition_detail
from .labels import action_labels

bp = Blueprint("petitions", __name__, url_prefix="/petitions")
PER_PAGE = 25


@bp.before_request
@login_required
def _signed_in():
    """Every petition page needs a signed-in leader, supervisor or handler."""
    queries.require_use(current_user)


@bp.get("")
def index():
    """The petitions this user may see, filtered and paged by the URL; the rows alone for htmx."""
    filters = {key: request.args.get(key, "").strip() for key in queries.FILTERS if request.args.get(key, "").strip()}
    page = page_arg()
    today = local_today()
    try:
        rows, total = queries.search_petitions(current_user, filters, page, PER_PAGE, today)
        errors = {}
    except Invalid as exc:
        rows, total, errors = [], 0, exc.fields
    context = {"filters": filters, "args": filters, "rows": rows, "total": total, "page_number": page,
               "per_page": PER_PAGE, "today": today, "errors": errors,
               "can_register": current_user.has_role("supervisor"), "sees_all": queries.sees_all(current_user),
               "shows_phone": queries.shows_phone(current_user), "department_options": pickers.department_options()}
    return htmx.render("petitions/list.html", "petitions/_results.html", status=422 if errors else 200, **context)


@bp.get("/export.csv")
@quotas.limited("exports")
def export():
    """The filtered list as CSV (phones masked for handlers)."""
    from flask import Response

    from .export import petitions_csv

    filters = {key: request.args.get(key, "").strip() for key in queries.FILTERS if request.args.get(key, "").strip()}
    body = petitions_csv(current_user, filters, local_today())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=petitions-{local_today().isoformat()}.csv"})


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a petition (supervisors): the form, then the new petition's page."""
    if not current_user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors register petitions."))
    values = {"channel": "hotline", "category": "", "received_at": local_today().isoformat()}
    errors = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            petition = services.register(current_user, values)
        except Invalid as exc:
            errors = dict(exc.fields) or {"_form": exc.message}
        else:
            message = _("Registered %(number)s.", number=petition.number)
            if petition.repeat:
                message += " " + _("The same category and area came up recently: marked as a repeat.")
            flash(message, "success")
            return htmx.redirect(url_for("petitions.detail", number=petition.number))
    return htmx.render("petitions/new.html", "petitions/_form.html", status=422 if errors else 200,
                       values=values, errors=errors)


def _petition_response(petition, status=200, **extra):
    context = petition_detail(current_user, petition, local_today())
    context.update(extra, shows_phone=queries.shows_phone(current_user), department_options=pickers.department_options())
    return htmx.render("petitions/detail.html", "petitions/_petition.html", status=status, **context)


@bp.get("/<number>")
def detail(number):
    """The petition with its reply, links, repeats, timeline and the actions for this user; 404 if invisible."""
    return _petition_response(queries.get_visible(current_user, number))


@bp.post("/<number>/actions/<action>")
def act(number, action):
    """Perform ``action``: the swapped petition for htmx, 303 back otherwise; 422 beside the field, 409 above."""
    petition = queries.get_visible(current_user, number)
    data = actionforms.posted(workflow.ACTIONS, action, ignore=("from",))
    if request.form.get("from") == "board":
        return _act_from_board(petition, action, data)
    try:
        event, after = services.perform(current_user, petition, action, data)
    except Invalid as exc:
        errors = actionforms.errors(exc.fields, exc.message, workflow.ACTIONS[action].field_names)
        return _petition_response(petition, status=422, form_errors={action: errors}, form_values={action: data})
    except Conflict as exc:
        return _petition_response(petition, status=409, conflict=exc.message)
    message = _("Done: %(action)s.", action=action_labels()[action])
    if action == "convert":
        # The new item is a draft pre-filled from the petition: the supervisor completes and dispatches it.
        flash(_("Made the draft item %(number)s from the petition; check it and dispatch it.",
                number=event.data["item"]), "success")
        return htmx.redirect(url_for("items.edit", number=event.data["item"]))
    if htmx.is_htmx():
        return _petition_response(after, notice=message)
    flash(message, "success")
    return htmx.redirect(url_for("petitions.detail", number=after.number))


def _act_from_board(petition, action, data):
    """An action from a petitions panel of the home board: a message on the board, whose panels then refresh."""
    try:
        services.perform(current_user, petition, action, data)
    except (Invalid, Conflict) as exc:
        detail = "；".join(str(text) for text in exc.fields.values()) if getattr(exc, "fields", None) else exc.message
        message = _("%(number)s: %(message)s", number=petition.number, message=detail)
        if htmx.is_htmx():
            return render_template("items/_notice.html", message=message, category="error"), exc.status
        flash(message, "error")
        return htmx.redirect(url_for("home.index"))
    message = _("Done: %(action)s %(number)s.", action=action_labels()[action], number=petition.number)
    if htmx.is_htmx():
        return htmx.trigger(make_response(render_template("items/_notice.html", message=message,
                                                          category="success")), "itemChanged")
    flash(message, "success")
    return htmx.redirect(url_for("home.index"))


@bp.get("/hot")
def hot():
    """Hot issues (群众热点) for a period against the one before: SVG bars and a table (leaders, supervisors)."""
    if not queries.sees_all(current_user):
        raise Forbidden(_("Hot issues are for leaders and supervisors."))
    args = {k: request.args.get(k, "").strip() for k in ("from", "to") if request.args.get(k, "").strip()}
    try:
        start, end = hot_issues.period(args)
    except Invalid as exc:
        start, end = hot_issues.period({})
        return htmx.render("petitions/hot.html", "petitions/_hot.html", status=422, args=args, errors=exc.fields,
                           hot=hot_issues.hot_issues(start, end))
    return htmx.render("petitions/hot.html", "petitions/_hot.html", args=args, errors={},
                       hot=hot_issues.hot_issues(start, end))
