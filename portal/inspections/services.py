"""What inspections allow and who sees what: planning, recording findings, turning them into items.

Leaders and supervisors see every inspection and finding. A member sees the
inspections they are a member of, with all their findings. A handler who is
not a member sees only their department's findings: those concerning (linked
to, or turned into) an item they may see — and the inspections that hold one.
Others see nothing. Invisible things answer 404, like items.
"""

import peewee
from flask_babel import gettext as _

from ..auth.models import User, UserRole
from ..items import actions, services as item_services
from ..items.models import FINISHED_STATES, Attachment, Item
from ..items.visibility import can_see, sees_all, visible_ids, visible_items
from ..kernel import files as store
from ..kernel.changes import write_transaction
from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound
from ..kernel.forms import Fields
from . import photos as photo_store
from .models import SEVERITIES, Finding, FindingPhoto, Inspection, InspectionItem, InspectionMember
from .search import index_finding

MAX_FINDING = 2000
MAX_PLACES = 2000
MAX_MEMBERS = 30
MAX_ITEMS = 30
BUSINESS_ROLES = ("leader", "supervisor", "handler")
# A finding's severity sets the level of the item it becomes.
LEVEL_OF = {"critical": "major", "serious": "important", "minor": "normal"}
TITLE_PREFIX = "实地督查："


# --- who sees what --------------------------------------------------------------

def _department_findings(user):
    """Findings of ``user``'s department: about an item they may see (a handler's view)."""
    return Finding.select(Finding.id).where(Finding.item.in_(visible_ids(user)))


def is_member(user, inspection):
    return InspectionMember.select().where(InspectionMember.inspection == inspection.id,
                                           InspectionMember.user == user.id).exists()


def visible_inspections(user):
    """Inspections ``user`` may open: all for leaders and supervisors; a member's own; for a handler also
    those holding one of their department's findings. Newest first."""
    query = Inspection.select().order_by(Inspection.date.desc(), Inspection.id.desc())
    if sees_all(user):
        return query
    mine = InspectionMember.select(InspectionMember.inspection).where(InspectionMember.user == user.id)
    condition = Inspection.id.in_(mine)
    if user.has_role("handler"):
        holding = Finding.select(Finding.inspection).where(Finding.id.in_(_department_findings(user)))
        condition |= Inspection.id.in_(holding)
    return query.where(condition)


def visible_inspections_with_planner(user):
    """visible_inspections with the planner read in the same query."""
    planner = User.alias()
    return (visible_inspections(user).select_extend(planner)
            .join_from(Inspection, planner, on=(Inspection.planned_by == planner.id), attr="planned_by"))


def sees_every_finding(user, inspection):
    return sees_all(user) or is_member(user, inspection)


def visible_findings(user, inspection):
    """The findings of ``inspection`` ``user`` may see, in the order they were recorded."""
    recorder, item = User.alias(), Item.alias()
    query = (Finding.select(Finding, recorder, item)
             .join_from(Finding, recorder, on=(Finding.recorded_by == recorder.id), attr="recorded_by")
             .join_from(Finding, item, peewee.JOIN.LEFT_OUTER, on=(Finding.item == item.id), attr="item")
             .where(Finding.inspection == inspection.id).order_by(Finding.id))
    if sees_every_finding(user, inspection):
        return query
    if user.has_role("handler"):
        return query.where(Finding.id.in_(_department_findings(user)))
    return query.where(peewee.SQL("1 = 0"))


def visible_finding_ids(user):
    """The ids of every finding ``user`` may see, of any inspection (the search's source): all for leaders
    and supervisors; a member's inspections' findings; for a handler also their department's."""
    query = Finding.select(Finding.id)
    if sees_all(user):
        return query
    mine = InspectionMember.select(InspectionMember.inspection).where(InspectionMember.user == user.id)
    condition = Finding.inspection.in_(mine)
    if user.has_role("handler"):
        condition |= Finding.item.in_(visible_ids(user))
    return query.where(condition)


def get_visible(user, inspection_id):
    """The inspection if ``user`` may see it; NotFound otherwise."""
    inspection = visible_inspections(user).where(Inspection.id == inspection_id).first() \
        if 0 < inspection_id < 2**31 else None
    if inspection is None:
        raise NotFound(_("No such inspection, or you may not see it."))
    return inspection


def get_finding(user, inspection, finding_id):
    finding = visible_findings(user, inspection).where(Finding.id == finding_id).first() \
        if 0 < finding_id < 2**31 else None
    if finding is None:
        raise NotFound(_("No such finding, or you may not see it."))
    return finding


def get_photo(user, inspection, photo_id):
    """A photo of a finding ``user`` may see; NotFound otherwise."""
    photo = (FindingPhoto.select().join(Finding)
             .where(FindingPhoto.id == photo_id, Finding.inspection == inspection.id,
                    Finding.id.in_(visible_findings(user, inspection).select(Finding.id))).first()) \
        if 0 < photo_id < 2**31 else None
    if photo is None:
        raise NotFound(_("This photo does not exist."))
    return photo


def members(inspection):
    return list(User.select().join(InspectionMember).where(InspectionMember.inspection == inspection.id)
                .order_by(User.display_name))


def linked_items(user, inspection):
    """The inspection's linked items ``user`` may see."""
    return list(visible_items(user).join(InspectionItem, on=(InspectionItem.item == Item.id))
                .where(InspectionItem.inspection == inspection.id).order_by(Item.number))


def members_and_items_of(user, inspections):
    """({inspection id: [usernames]}, {inspection id: [item numbers user may see]}) in two queries."""
    ids = [i.id for i in inspections]
    people, items = {i: [] for i in ids}, {i: [] for i in ids}
    if ids:
        for row in (InspectionMember.select(InspectionMember.inspection, User.username).join(User)
                    .where(InspectionMember.inspection.in_(ids)).order_by(User.username).tuples()):
            people[row[0]].append(row[1])
        for row in (visible_items(user).select(InspectionItem.inspection, Item.number)
                    .join(InspectionItem, on=(InspectionItem.item == Item.id))
                    .where(InspectionItem.inspection.in_(ids)).order_by(Item.number).tuples()):
            items[row[0]].append(row[1])
    return people, items


def photos_of(findings):
    """{finding id: [photos]} for ``findings`` in one query."""
    grouped = {f.id: [] for f in findings}
    if grouped:
        for photo in FindingPhoto.select().where(FindingPhoto.finding.in_(list(grouped))).order_by(FindingPhoto.id):
            grouped[photo.finding_id].append(photo)
    return grouped


# --- planning ------------------------------------------------------------------

def split_list(value):
    """A list of names or numbers from a list, or from text separated by spaces or commas; None when neither."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in value.replace("，", ",").replace(",", " ").split() if part]
    return [str(v) for v in value] if isinstance(value, list) else None


def _read_plan(data):
    if isinstance(data.get("places"), list):  # the API may send a list of places
        data = {**data, "places": "\n".join(str(p) for p in data["places"])}
    fields = Fields(data)
    values = {"subject": fields.text("subject", required=True),
              "date": fields.date("date"),
              "places": fields.text("places", max_length=MAX_PLACES, multiline=True)}
    usernames = split_list(data.get("members"))
    if usernames is None:
        fields.error("members", _("Must be a list of user names."))
        usernames = []
    usernames = list(dict.fromkeys(usernames))
    if not usernames:
        fields.error("members", _("Choose at least one member."))
    elif len(usernames) > MAX_MEMBERS:
        fields.error("members", _("At most %(n)s members.", n=MAX_MEMBERS))
    found = {u.username: u for u in User.select().join(UserRole).where(
        User.username.in_(usernames), User.active == True, UserRole.role.in_(BUSINESS_ROLES)).distinct()}  # noqa: E712
    unknown = [name for name in usernames if name not in found]
    if unknown and usernames:
        fields.error("members", _("No active user %(name)s with this role.", name=", ".join(unknown[:5])))
    numbers = split_list(data.get("items"))
    if numbers is None:
        fields.error("items", _("Must be a list of item numbers."))
        numbers = []
    numbers = list(dict.fromkeys(numbers))
    if len(numbers) > MAX_ITEMS:
        fields.error("items", _("At most %(n)s items.", n=MAX_ITEMS))
    items = {i.number: i for i in Item.select().where(Item.number.in_(numbers))} if numbers else {}
    missing = [n for n in numbers if n not in items]
    if missing:
        fields.error("items", _("No item %(number)s, or you may not see it.", number=", ".join(missing[:5])))
    fields.done()
    return values, [found[n] for n in usernames], [items[n] for n in numbers]


def plan(user, data):
    """Plan an inspection (supervisors): subject, date, places, members (user names), linked items (numbers)."""
    if not user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors plan inspections."))
    values, people, items = _read_plan(data)
    with write_transaction():
        inspection = Inspection.create(planned_by=user, **values)
        InspectionMember.insert_many([{"inspection": inspection.id, "user": p.id} for p in people]).execute()
        if items:
            InspectionItem.insert_many([{"inspection": inspection.id, "item": i.id} for i in items]).execute()
    return inspection


# --- findings ------------------------------------------------------------------

def _linked_item(inspection, number, fields, field="item"):
    """The linked item numbered ``number`` (None when not given); an error on ``field`` when not linked."""
    if number in (None, ""):
        return None
    item = (Item.select().join(InspectionItem, on=(InspectionItem.item == Item.id))
            .where(InspectionItem.inspection == inspection.id, Item.number == str(number)).first())
    if item is None:
        fields.error(field, _("Choose one of the inspection's linked items."))
    return item


def record_finding(user, inspection, data, files=()):
    """A member records a finding (text, severity, optionally the linked item it concerns) with its photos.

    403 unless a member; 422 bad input or a file that is not a photo; 413 a photo over the limit. The
    photos are cleaned (no metadata) before anything is stored and reach the store only on commit.
    """
    if not is_member(user, inspection):
        raise Forbidden(_("Only the inspection's members record findings."))
    fields = Fields(data)
    text = fields.text("text", required=True, max_length=MAX_FINDING, multiline=True)
    severity = fields.choice("severity", SEVERITIES, required=False, default="minor")
    item = _linked_item(inspection, data.get("item"), fields)
    fields.done()
    photos, staged = photo_store.prepare(files)
    with store.kept_on_commit(staged), write_transaction():
        finding = Finding.create(inspection=inspection, recorded_by=user, text=text, severity=severity, item=item)
        if photos:
            FindingPhoto.insert_many([{"finding": finding.id, **photo} for photo in photos]).execute()
        index_finding(finding.id)
    return finding


def item_draft(finding):
    """The fields of the item a finding becomes, pre-filled from the finding and its inspection."""
    inspection = finding.inspection
    first_line = finding.text.strip().splitlines()[0] if finding.text.strip() else inspection.subject
    title = TITLE_PREFIX + first_line
    if len(title) > 200:
        title = title[:199] + "…"
    places = "、".join(inspection.place_list)
    content = finding.text + "\n\n" + _("Found on the field inspection of %(date)s (%(subject)s)%(places)s.",
                                         date=inspection.date.isoformat(), subject=inspection.subject,
                                         places=(": " + places) if places else "")
    return {"title": title, "content": content[:20000], "source_type": "inspection",
            "source_ref": f"{inspection.date.isoformat()} {inspection.subject}"[:200],
            "level": LEVEL_OF.get(finding.severity, "normal")}


def _copy_photos(user, finding, item):
    """The finding's photos as the item's attachments (the same stored files: nothing is copied on disk)."""
    for n, photo in enumerate(FindingPhoto.select().where(FindingPhoto.finding == finding.id)
                              .order_by(FindingPhoto.id), start=1):
        Attachment.create(item=item, uploaded_by=user, original_name=f"督查照片-{finding.id}-{n}.{photo_store.extension(photo)}",
                          sha256=photo.sha256, size=photo.size, content_type=photo.content_type)


def _mark(user, finding, outcome, item, event=None):
    changed = (Finding.update(outcome=outcome, item=item, event=event, converted_by=user, converted_at=utcnow())
               .where(Finding.id == finding.id, Finding.outcome.is_null()).execute())
    if changed != 1:
        raise Conflict(_("This finding has already been taken up."))


def convert(user, inspection, finding, data):
    """Take a finding up: ``to=item`` registers a new draft item (supervisors; source_type=inspection,
    pre-filled, ``lead_department`` and any item field may be given), ``to=note`` urges a linked item with
    the finding as the message (the ``urge`` action: supervisors and leaders, its states and 24-hour gap).
    Either way the finding's photos become the item's attachments, all in one transaction. 409 when the
    finding was taken up already. Returns (outcome, item)."""
    if not user.has_role("supervisor", "leader"):
        raise Forbidden(_("Only supervisors and leaders take findings up."))
    fields = Fields(data)
    to = fields.choice("to", ("item", "note"))
    fields.done()
    if finding.outcome is not None:
        raise Conflict(_("This finding has already been taken up."))
    if to == "item":
        draft = item_draft(finding)
        overrides = {k: v for k, v in data.items() if k in ("title", "content", "level", "lead_department",
                                                            "co_departments", "leader", "supervisor",
                                                            "deadline", "feedback_cycle_days", "source_ref")
                     and v not in (None, "")}
        with write_transaction():
            item = item_services.create_item(user, {**draft, **overrides})
            _copy_photos(user, finding, item)
            _mark(user, finding, "new_item", item)
        return "new_item", item
    fields = Fields(data)
    item = _linked_item(inspection, data.get("item") or (finding.item.number if finding.item_id else None),
                        fields)
    if item is None and not fields.errors:
        fields.error("item", _("Choose one of the inspection's linked items."))
    fields.done()
    if item.state in FINISHED_STATES:
        raise Conflict(_("This item is closed or cancelled."))
    if not can_see(user, item):
        raise NotFound()
    message = _("Field inspection finding (%(date)s, %(subject)s): %(text)s", date=inspection.date.isoformat(),
                subject=inspection.subject, text=finding.text)
    with write_transaction():
        event = actions.perform(user, item, "urge", {"version": item.version, "comment": message[:4000]})
        _copy_photos(user, finding, item)
        _mark(user, finding, "note", item, event)
    return "note", item
