"""The supervision item's service layer: visibility, registration, drafts, decomposition, following.

Pages, the API and jobs call these functions; they raise the portal errors
(404 invisible, 403 wrong actor, 409 wrong state or stale version, 422 input).
The actions of docs/items.md live in actions.py, lists and lights in queries.py,
attachments in attachments.py, visibility in visibility.py: import them from there.
"""

import datetime

from flask import current_app
from flask_babel import gettext as _

from ..auth.forms import Fields
from ..auth.models import User
from ..kernel import files
from ..kernel.changes import write_transaction
from ..kernel.clock import local_today
from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound
from ..kernel.numbering import next_number
from .attachments import extract_later, receive_uploads, record_upload
from .models import LEVELS, SOURCE_TYPES, Follow, Item, ItemCoDepartment, ItemEvent, NumberSequence
from .search import index_item
from .visibility import can_see, sees_all, visible_ids
from .workflow import latest_child_deadline, past_limit

EDITABLE_STATES = ("draft", "returned")
# A child may be added while its parent can still wait for it.
DECOMPOSABLE_STATES = ("draft", "dispatched", "in_progress", "returned")


def get_visible(user, number):
    """The item numbered ``number`` if ``user`` may see it; NotFound otherwise (also when invisible)."""
    item = Item.get_or_none(Item.number == str(number))
    if item is None or not can_see(user, item):
        raise NotFound(_("No item %(number)s, or you may not see it.", number=number))
    return item


def default_deadline(source_type, today=None):
    """The deadline pre-filled at registration: today plus workflow.default_days.<source_type> days."""
    days = current_app.config["PORTAL"]["workflow"]["default_days"]
    return (today or local_today()) + datetime.timedelta(days=days.get(source_type, days["other"]))


def _read_fields(data, current=None, parent=None):
    """Validated item fields from ``data``; with ``current`` (PATCH) missing keys keep their values."""
    fields = Fields(data)
    today = local_today()
    values = {}

    def given(name):
        return current is None or name in fields.data

    if given("title"):
        values["title"] = fields.text("title", required=True)
    if given("content"):
        values["content"] = fields.text("content", max_length=20000, multiline=True)
    if given("source_type"):
        values["source_type"] = fields.choice("source_type", SOURCE_TYPES)
    if given("source_ref"):
        values["source_ref"] = fields.text("source_ref")
    if given("level"):
        values["level"] = fields.choice("level", LEVELS, required=False, default="normal")
    if given("lead_department"):
        values["lead_department"] = fields.department("lead_department")
    if given("leader"):
        values["leader"] = fields.person("leader", "leader")
    if given("supervisor"):
        values["supervisor"] = fields.person("supervisor", "supervisor")
    if given("feedback_cycle_days"):
        values["feedback_cycle_days"] = fields.integer("feedback_cycle_days", 0, 366, required=False, default=0)
    if given("deadline"):
        source = values.get("source_type") or (current.source_type if current else "other")
        values["deadline"] = fields.date("deadline", required=False) or default_deadline(source, today)
        if values["deadline"] < today:
            fields.error("deadline", _("The deadline must not be in the past."))
        if parent is not None and past_limit(values["deadline"], parent.deadline):
            fields.error("deadline", _("A child's deadline must not be after its parent's (%(date)s).",
                                       date=parent.deadline))
        latest = latest_child_deadline(current) if current is not None else None
        if past_limit(latest, values["deadline"]):
            fields.error("deadline", _("The deadline must not be before a child item's deadline (latest: %(date)s).",
                                       date=latest))
    co = fields.departments("co_departments") if given("co_departments") else None
    lead = values.get("lead_department") or (current.lead_department if current else None)
    if co and lead is not None and lead in co:
        fields.error("co_departments", _("The lead department cannot also be a co-department."))
    fields.done()
    return values, co


def _set_co_departments(item, departments):
    ItemCoDepartment.delete().where(ItemCoDepartment.item == item).execute()
    if departments:
        ItemCoDepartment.insert_many([{"item": item.id, "department": d.id} for d in departments]).execute()
    item._co_ids = [d.id for d in departments]


def _require_supervisor(user):
    if not user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors register, edit and decompose items."))


def _create(user, data, parent=None, attachments=()):
    """The new draft (under ``parent``) with the uploaded ``attachments`` (FileStorage objects, received
    once the fields are valid: 422 on "attachments") in one transaction."""
    values, co = _read_fields(data, parent=parent)
    values.setdefault("supervisor", None)
    values["supervisor"] = values["supervisor"] or user
    if parent is not None and values.get("leader") is None:
        values["leader"] = parent.leader
    uploads = receive_uploads(attachments)
    with files.kept_on_commit(uploads), write_transaction():
        number = next_number(NumberSequence, "DB", local_today().year)
        item = Item.create(number=number, parent=parent, created_by=user, state="draft", **values)
        _set_co_departments(item, co or [])
        ItemEvent.create(item=item, actor=user, action="create", from_state=None, to_state="draft",
                         data={"parent": parent.number} if parent is not None else {})
        for upload in uploads:
            record_upload(user, item, upload)
        if parent is not None:
            ItemEvent.create(item=parent, actor=user, action="add_child", from_state=parent.state,
                             to_state=parent.state, data={"child": number})
        index_item(item.id)  # the search index commits with the text
    extract_later(uploads)
    return item


def create_item(user, data, attachments=()):
    """Register a draft item numbered ``DB-<year>-<seq>``, with its ``attachments`` (uploaded files);
    403 unless supervisor, 422 with fields."""
    _require_supervisor(user)
    return _create(user, data, attachments=attachments)


def add_child(user, parent, data, attachments=()):
    """Add a draft child to an open item (own lead department, deadline not after the parent's)."""
    _require_supervisor(user)
    if not can_see(user, parent):
        raise NotFound()
    if parent.state not in DECOMPOSABLE_STATES:
        raise Conflict(_("Children can only be added to a draft or open item that is not awaiting closure."))
    return _create(user, data, parent=parent, attachments=attachments)


# The fields an edit event names; their values are kept as people read them (department and person
# names, codes the timeline labels), long text only as "changed".
LONG_TEXT_FIELDS = ("content",)


def _shown(value):
    """A field's value as the edit event keeps it: names for departments and people, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "display_name"):
        return value.display_name
    if hasattr(value, "name") and hasattr(value, "code"):
        return value.name
    return value


def _changes(item, values, co):
    """What an edit changes on ``item``: [{field, before, after}] in form order (long text: field only)."""
    changes = []
    for name, after in values.items():
        if name in ("lead_department", "leader", "supervisor"):
            before_id, after_id = getattr(item, f"{name}_id"), (after.id if after is not None else None)
            if before_id != after_id:
                before = getattr(item, name) if before_id is not None else None
                changes.append({"field": name, "before": _shown(before), "after": _shown(after)})
        elif getattr(item, name) != after:
            if name in LONG_TEXT_FIELDS:
                changes.append({"field": name})
            else:
                changes.append({"field": name, "before": _shown(getattr(item, name)), "after": _shown(after)})
    if co is not None:
        from ..auth.models import Department

        before = list(Department.select().join(ItemCoDepartment, on=ItemCoDepartment.department == Department.id)
                      .where(ItemCoDepartment.item == item.id).order_by(Department.name))
        if {d.id for d in before} != {d.id for d in co}:
            changes.append({"field": "co_departments", "before": "、".join(d.name for d in before),
                            "after": "、".join(d.name for d in sorted(co, key=lambda d: d.name))})
    return changes


def update_draft(user, item, data):
    """Change the fields of a draft or returned item; needs ``version`` (409 when stale). The event lists
    each field changed, before and after; an edit that changes nothing writes nothing."""
    _require_supervisor(user)
    if item.state not in EDITABLE_STATES:
        raise Conflict(_("Only a draft or returned item can be edited."))
    fields = Fields(data)
    version = fields.version()
    fields.done()
    values, co = _read_fields(data, current=item, parent=item.parent)
    with write_transaction():
        current = Item.get_by_id(item.id)
        if current.version != version or current.state not in EDITABLE_STATES:
            raise Conflict(_("Someone else changed this item in the meantime. Reload it and try again."))
        changes = _changes(current, values, co)
        if not changes:
            return current
        changed = (Item.update(**values, version=Item.version + 1)
                   .where(Item.id == item.id, Item.version == version, Item.state.in_(EDITABLE_STATES))
                   .execute())
        if changed != 1:
            raise Conflict(_("Someone else changed this item in the meantime. Reload it and try again."))
        if co is not None:
            _set_co_departments(item, co)
        ItemEvent.create(item=item, actor=user, action="update", from_state=item.state, to_state=item.state,
                         data={"fields": [c["field"] for c in changes], "changes": changes})
        index_item(item.id)  # the search index commits with the text
    return Item.get_by_id(item.id)


def follow(user, item):
    """Make ``user`` (leader or supervisor) a follower (关注) of ``item``; idempotent."""
    if not sees_all(user):
        raise Forbidden(_("Only leaders and supervisors follow items."))
    with write_transaction():
        Follow.insert(user=user, item=item, created_at=utcnow()).on_conflict_ignore().execute()


def unfollow(user, item):
    """Stop following ``item``; idempotent."""
    with write_transaction():
        Follow.delete().where(Follow.user == user, Follow.item == item).execute()


def is_following(user, item):
    return Follow.select().where(Follow.user == user, Follow.item == item).exists()


def end_unseen_follows(user):
    """Delete ``user``'s follows (关注) of items they can no longer see; return how many ended.

    One DELETE with the named visibility query as its subquery (no loop over items).
    """
    user = User.get_by_id(user.id)  # judge by the roles and department held now, not a cached copy
    seen = visible_ids(user)
    with write_transaction():  # (which bumps the boards' counter: a follows panel counts afresh)
        return Follow.delete().where(Follow.user == user.id, Follow.item.not_in(seen)).execute()
