"""/api/v1 departments and items: list, register, read, edit drafts, children, actions, attachments."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import Department
from ..kernel.api import feature_blueprint, int_arg, json_body
from ..kernel.clock import local_today
from ..kernel.errors import Invalid
from . import actions, attachments, bulk, queries, serialize, services
from .detail import item_detail

bp = feature_blueprint("items_api", __name__, "/api/v1")

FILTERS = ("state", "department", "light", "level", "source_type", "leader", "supervisor",
           "deadline_from", "deadline_to", "q", "parent", "sort")
# Parameters that take one value: given twice, the request is ambiguous (422), never silently half-read.
SINGLE = ("q", "deadline_from", "deadline_to", "parent", "sort", "page", "per_page")


def _detail(item):
    return serialize.item_detail(item_detail(current_user, item, local_today()))


@bp.get("/departments")
def departments():
    rows = Department.select().where(Department.active == True).order_by(Department.sort_order, Department.id)  # noqa: E712
    return jsonify({"departments": [serialize.department(d) for d in rows]})


@bp.get("/items")
def list_items():
    repeated = [key for key in SINGLE if len(request.args.getlist(key)) > 1]
    if repeated:
        message = _("Give this parameter once.")
        raise Invalid(message, fields={key: message for key in repeated})
    page = int_arg("page", 1, 1, 10**6)
    per_page = int_arg("per_page", 20, 1, 100)
    filters = {key: ",".join(request.args.getlist(key)) for key in FILTERS if request.args.get(key)}
    rows, total = queries.search_items(current_user, filters, page, per_page)
    today = local_today()
    return jsonify({"items": [serialize.item_summary(item, today) for item in rows], "page": page,
                    "per_page": per_page, "total": int(total), "total_capped": total.capped,
                    "pages": (total + per_page - 1) // per_page})


def _created(item):
    response = jsonify(_detail(item))
    response.status_code = 201
    response.headers["Location"] = url_for("items_api.get_item", number=item.number)
    return response


@bp.post("/items")
def create_item():
    return _created(services.create_item(current_user, json_body()))


@bp.get("/items/<number>")
def get_item(number):
    return jsonify(_detail(services.get_visible(current_user, number)))


@bp.patch("/items/<number>")
def update_item(number):
    item = services.get_visible(current_user, number)
    return jsonify(_detail(services.update_draft(current_user, item, json_body())))


@bp.post("/items/<number>/children")
def add_child(number):
    parent = services.get_visible(current_user, number)
    return _created(services.add_child(current_user, parent, json_body()))


@bp.post("/items/<number>/actions/<action>")
def perform(number, action):
    item = services.get_visible(current_user, number)
    event = actions.perform(current_user, item, action, json_body())
    return jsonify({"event": serialize.event(event), "item": _detail(item)})


@bp.post("/items/bulk/urge")
def bulk_urge():
    return _bulk("urge")


@bp.post("/items/bulk/dispatch")
def bulk_dispatch():
    return _bulk("dispatch")


def _bulk(action):
    """One action on several items: 200 with a result per item (each in its own transaction), 422 before
    any item when the body is wrong."""
    body = json_body()
    results = bulk.perform(current_user, action, body.get("items"), body.get("comment", ""))
    return jsonify({"action": action, "done": sum(1 for result in results if result.ok),
                    "results": [result.as_json(action) for result in results]})


@bp.post("/items/<number>/attachments")
def upload(number):
    item = services.get_visible(current_user, number)
    attachment = attachments.add_attachment(current_user, item, request.files.get("file"))
    response = jsonify(serialize.attachment(attachment, item.number))
    response.status_code = 201
    return response


@bp.get("/items/<number>/attachments/<int:attachment_id>")
def download_attachment(number, attachment_id):
    item = services.get_visible(current_user, number)
    return attachments.download(current_user, item, attachment_id)


@bp.put("/items/<number>/follow")
def follow(number):
    item = services.get_visible(current_user, number)
    services.follow(current_user, item)
    return jsonify({"following": True})


@bp.delete("/items/<number>/follow")
def unfollow(number):
    item = services.get_visible(current_user, number)
    services.unfollow(current_user, item)
    return jsonify({"following": False})
