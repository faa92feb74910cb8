"""The item pages: list, registration, the item with its actions, decomposition, print.

Views are thin: every rule lives in services/workflow; a view reads the form,
calls one service function and chooses page, fragment or redirect.
"""

from flask import Blueprint, abort, flash, make_response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel import actionforms, htmx, quotas
from ..kernel.clock import local_today
from ..kernel.errors import Conflict, Forbidden, Invalid
from ..kernel.paging import page_arg
from ..kernel.security import accepts_bearer
from . import actions, attachments, bulk, labels, pickers, queries, services, workflow
from .detail import can_edit, item_detail

bp = Blueprint("items", __name__, url_prefix="/items")
PAGE_SIZES = (25, 50, 100)  # rows per page offered on the list; the choice is remembered in the session
PICKER_FIELDS = {"lead_department", "co_departments", "leader", "supervisor"}
FILTER_KEYS = ("q", "state", "light", "department", "level", "source_type", "leader", "deadline_from", "deadline_to",
               "sort")


@bp.before_request
@login_required
def _signed_in():
    """Every item page needs a signed-in user."""


# --- the list -----------------------------------------------------------------

def list_filters(args):
    """The list filters named in ``args`` (the URL of /items), empty ones left out."""
    return {key: args.get(key, "").strip() for key in FILTER_KEYS if args.get(key, "").strip()}


@bp.get("")
def index():
    """The items this user may see, filtered, sorted and paged by the URL; the rows alone for htmx."""
    filters = list_filters(request.args)
    page = page_arg()
    per_page = _per_page()
    rows, total = queries.search_items(current_user, filters, page, per_page)
    today = local_today()
    context = {
        "filters": filters, "args": {**filters, **({"per_page": per_page} if "per_page" in request.args else {})}, "rows": rows, "total": total,
        "page_number": page, "per_page": per_page, "page_size_options": [(str(n), str(n)) for n in PAGE_SIZES],
        "sort": filters.get("sort", ""), "lights": {row.id: queries.light_of(row, today) for row in rows},
        "can_create": current_user.has_role("supervisor"), "can_bulk": can_bulk(current_user),
        "bulk_actions": [(name, labels.ACTION_LABELS[name]) for name in bulk.BULK_ACTIONS
                         if current_user.has_role(*workflow.ACTIONS[name].roles)],
        "department_options": pickers.department_options(), "leader_options": pickers.people_options("leader"),
    }
    return htmx.render("items/list.html", "items/_results.html", **context)


def can_bulk(user):
    """Whether the list offers the bulk actions (the workflow checks each item again)."""
    return user.has_role("supervisor") or user.has_role("leader")


@bp.post("/bulk")
def bulk_action():
    """One action on the items ticked in the list (plain form post or htmx): a result per item."""
    action = request.form.get("action", "")
    comment = request.form.get("comment", "")
    context = {"action": action, "comment": comment, "results": [], "errors": {},
               "action_label": labels.ACTION_LABELS.get(action, "")}
    try:
        context["results"] = bulk.perform(current_user, action, request.form.getlist("items"), comment)
        status = 200
    except Invalid as exc:
        context["errors"], status = dict(exc.fields) or {"_form": exc.message}, 422
    context["done"] = sum(1 for result in context["results"] if result.ok)
    return htmx.render("items/bulk.html", "items/_bulk_results.html", status=status, **context)


def _per_page():
    """Rows per page: ?per_page= when it is one of PAGE_SIZES (and then remembered), else the last choice."""
    asked = request.args.get("per_page", "")
    if asked.isascii() and asked.isdigit() and int(asked) in PAGE_SIZES:
        session["items_per_page"] = int(asked)
    remembered = session.get("items_per_page")
    return remembered if remembered in PAGE_SIZES else PAGE_SIZES[0]


# --- registration, drafts, decomposition ---------------------------------------

def _form_values(item=None, parent=None):
    """The form's values: the posted ones, else the item's, else the parent's, else the defaults."""
    if request.method == "POST":
        values = request.form.to_dict()
        values["co_departments"] = request.form.getlist("co_departments")
        return values
    if parent is not None:
        values = _item_values(parent)
        return {key: values[key] for key in ("source_type", "source_ref", "level", "deadline", "leader",
                                             "supervisor", "feedback_cycle_days")}
    if item is None:
        return {"source_type": "meeting", "level": "normal", "feedback_cycle_days": "0",
                "deadline": services.default_deadline("meeting").isoformat(),
                "supervisor": current_user.username}
    return _item_values(item)


def _posted_data():
    data = {key: value for key, value in request.form.items() if key not in ("csrf_token",) and not key.endswith("_q")}
    data["co_departments"] = request.form.getlist("co_departments")
    return data


def _item_form(heading, submit_label, form_action, cancel_url, item=None, parent=None, status=200, errors=None):
    context = {
        "heading": heading, "submit_label": submit_label, "form_action": form_action, "cancel_url": cancel_url,
        "item": item, "parent": parent, "errors": errors or {}, "values": _form_values(item, parent),
        "department_options": pickers.department_options(),
        "leader_options": pickers.people_options("leader"),
        "supervisor_options": pickers.people_options("supervisor"),
    }
    return htmx.render("items/form.html", "items/_form.html", status=status, **context)


def _save(save, form, unchanged_version=None):
    """Run ``save`` on a POST and go to the saved item; on bad input re-render the form with 422. An edit
    that left the item at ``unchanged_version`` says that nothing changed."""
    if request.method == "POST":
        try:
            saved = save(_posted_data())
        except Invalid as exc:
            errors = dict(exc.fields) or {"_form": exc.message}
            return form(status=422, errors=errors)
        except quotas.TooMany as exc:  # the files, past the quota of uploads: the form stays filled in
            response = make_response(form(status=429, errors={"attachments": exc.message}))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if saved.version == unchanged_version:
            flash(_("Nothing changed on %(number)s.", number=saved.number), "info")
        else:
            flash(_("Saved %(number)s.", number=saved.number), "success")
        return htmx.redirect(url_for("items.detail", number=saved.number))
    return form()


def _require_supervisor():
    """The forms of registration, drafts and decomposition are for supervisors (services check again)."""
    if not current_user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors register, edit and decompose items."))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register an item (supervisors): the form, then the new draft's page."""
    _require_supervisor()
    return _save(lambda data: services.create_item(current_user, data, request.files.getlist("attachments")),
                 lambda **kw: _item_form(_("Register an item"), _("Save as draft"), url_for("items.new"),
                                         url_for("items.index"), **kw))


@bp.route("/<number>/edit", methods=["GET", "POST"])
def edit(number):
    """Edit a draft or returned item (supervisors), guarded by its version."""
    item = services.get_visible(current_user, number)
    _require_supervisor()
    if not can_edit(current_user, item):
        raise Conflict(_("Only a draft or returned item can be edited."))
    return _save(lambda data: services.update_draft(current_user, item, data),
                 lambda **kw: _item_form(_("Edit %(number)s", number=item.number), _("Save"),
                                         url_for("items.edit", number=number),
                                         url_for("items.detail", number=number), item=item, **kw),
                 unchanged_version=item.version)


@bp.route("/<number>/children/new", methods=["GET", "POST"])
def new_child(number):
    """Decompose: add a sub-item under ``number`` (supervisors)."""
    parent = services.get_visible(current_user, number)
    _require_supervisor()
    return _save(lambda data: services.add_child(current_user, parent, data, request.files.getlist("attachments")),
                 lambda **kw: _item_form(_("Decompose %(number)s", number=parent.number), _("Add the sub-item"),
                                         url_for("items.new_child", number=number),
                                         url_for("items.detail", number=number), parent=parent, **kw))


@bp.get("/new/deadline")
def deadline_field():
    """The deadline field pre-filled for the chosen source (docs/items.md default deadlines)."""
    _require_supervisor()
    source_type = request.args.get("source_type", "other")
    values = {"deadline": services.default_deadline(source_type).isoformat()}
    return render_template("items/_deadline_field.html", values=values, errors={})


# --- the item and its actions -------------------------------------------------

def _item_response(item, status=200, **extra):
    context = item_detail(current_user, item, local_today())
    context.update(extra)
    return htmx.render("items/detail.html", "items/_item.html", status=status, **context)


def _done(item, message):
    """After a successful change: the fresh panels for htmx (boards refresh), a 303 back otherwise."""
    if htmx.is_htmx():
        return htmx.trigger(_item_response(item, notice=message), "itemChanged")
    flash(message, "success")
    return htmx.redirect(url_for("items.detail", number=item.number))


@bp.get("/<number>")
def detail(number):
    """The item with its light, facts, actions for this user, files, reports and timeline; 404 if invisible."""
    return _item_response(services.get_visible(current_user, number))


@bp.post("/<number>/actions/<action>")
def act(number, action):
    """Perform ``action``: swapped panels for htmx, 303 back otherwise; 422 beside the field, 409 with what changed."""
    item = services.get_visible(current_user, number)
    data = actionforms.posted(workflow.ACTIONS, action, ignore=("seen", "from"))
    if request.form.get("from") == "board":
        return _act_from_board(item, action, data)
    files = [upload for upload in request.files.getlist("file") if upload.filename] \
        if workflow.ACTIONS[action].takes_files else []
    try:
        actions.perform(current_user, item, action, data, files=files)
    except Invalid as exc:
        # The form shows its inputs' errors beside them (missing evidence beside the file), others above it.
        fields = {("file" if k == "attachment" else k): v for k, v in exc.fields.items()}
        errors = actionforms.errors(fields, exc.message, workflow.ACTIONS[action].field_names)
        return _item_response(item, status=422, form_errors={action: errors}, form_values={action: data})
    except Conflict as exc:
        conflict = {"message": exc.message, "events": queries.events_since(item, request.form.get("seen"))}
        return _item_response(item, status=409, conflict=conflict)
    return _done(item, _("Done: %(action)s.", action=labels.ACTION_LABELS[action]))


def _act_from_board(item, action, data):
    """A one-click action on a home-board row: a message on the board, whose panels then refresh."""
    try:
        actions.perform(current_user, item, action, data)
    except (Invalid, Conflict) as exc:
        message = _("%(number)s: %(message)s", number=item.number, message=exc.message)
        if htmx.is_htmx():
            return render_template("items/_notice.html", message=message, category="error"), exc.status
        flash(message, "error")
        return htmx.redirect(url_for("home.index"))
    message = _("Done: %(action)s %(number)s.", action=labels.ACTION_LABELS[action], number=item.number)
    if htmx.is_htmx():
        return htmx.trigger(make_response(render_template("items/_notice.html", message=message,
                                                          category="success")), "itemChanged")
    flash(message, "success")
    return htmx.redirect(url_for("home.index"))


@bp.post("/<number>/attachments")
def attach(number):
    """Attach a file to the item; errors beside the file field."""
    item = services.get_visible(current_user, number)
    try:
        attachments.add_attachment(current_user, item, request.files.get("file"))
    except Invalid as exc:
        errors = {"file": exc.fields.get("file") or exc.message}
        return _item_response(item, status=422, form_errors={"attach": errors})
    return _done(item, _("The file was attached."))


@bp.get("/<number>/attachments/<int:attachment_id>")
@accepts_bearer
def download(number, attachment_id):
    """The attachment as a download (never shown inline), for users who may see the item."""
    item = services.get_visible(current_user, number)
    return attachments.download(current_user, item, attachment_id)


@bp.post("/<number>/follow")
def follow(number):
    """Follow (关注) or stop following the item."""
    item = services.get_visible(current_user, number)
    if request.form.get("follow") == "0":
        services.unfollow(current_user, item)
        return _done(item, _("You no longer follow this item."))
    services.follow(current_user, item)
    return _done(item, _("You follow this item: its news reaches you."))


@bp.get("/<number>/print")
def print_notice(number):
    """The printable 督办单: one A4 page."""
    item = services.get_visible(current_user, number)
    return render_template("items/print.html", item=item, co_departments=queries.co_departments(item))


# --- pickers that search as you type -------------------------------------------

@bp.get("/pickers/<kind>")
def picker(kind):
    """The choices of a department or people picker narrowed by what was typed, keeping those chosen."""
    _require_supervisor()
    field = request.args.get("field", "")
    if field not in PICKER_FIELDS:
        abort(404)
    query = request.args.get(f"{field}_q", "")
    selected = request.args.getlist(field)
    if kind == "departments":
        options = pickers.department_options(query, keep=selected)
    elif kind == "people":
        options = pickers.people_options(request.args.get("role", ""), query, keep=selected)
    else:
        abort(404)
    return render_template("items/_picker_options.html", name=field, options=options, selected=selected,
                           multiple=request.args.get("multiple") == "1")


def _item_values(item):
    """The draft form's values for an existing item."""
    return {
        "title": item.title, "content": item.content, "source_type": item.source_type,
        "source_ref": item.source_ref, "level": item.level, "deadline": item.deadline.isoformat(),
        "feedback_cycle_days": str(item.feedback_cycle_days),
        "lead_department": item.lead_department.code,
        "co_departments": [d.code for d in queries.co_departments(item)],
        "leader": item.leader.username if item.leader else "",
        "supervisor": item.supervisor.username if item.supervisor else "",
    }
