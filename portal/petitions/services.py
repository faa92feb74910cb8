"""The petitions' service layer: registration and the actions of workflow.TABLE (who sees what and the
lists are in queries.py).

Pages, the API and the reminder scan call these functions; they raise the portal errors
(404 invisible, 403 wrong actor, 409 wrong state or stale version, 422 input). Every
state change is one transaction: the petition (compared by version in the UPDATE itself),
its event and its outbox rows.
"""

import datetime

from flask import g, has_app_context
from flask_babel import gettext as _

from ..auth.models import Department
from ..calendar import add_working_days, local_today
from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound
from ..items import services as item_services
from ..items.inputs import Fields
from ..items.transaction import write_transaction
from ..notify.models import Outbox
from . import phones, recipients
from .labels import CATEGORY_LABELS
from .models import CATEGORIES, CHANNELS, Petition, PetitionEvent, PetitionSequence
from .queries import local_day, local_midnight_utc, require_use, settings, zone
from .workflow import ACTIONS, may_act

MAX_CONTENT = 2000
NUMBER_PREFIX = "SQ"


# --- registration ---------------------------------------------------------------------

def next_number(year):
    """The next ``SQ-<year>-<seq>``; the sequence row stays locked until the caller's transaction ends."""
    PetitionSequence.insert(year=year, last=0).on_conflict_ignore().execute()
    PetitionSequence.update(last=PetitionSequence.last + 1).where(PetitionSequence.year == year).execute()
    last = PetitionSequence.select(PetitionSequence.last).where(PetitionSequence.year == year).scalar()
    return f"{NUMBER_PREFIX}-{year}-{last:04d}"


def _received_at(fields):
    """When the petition was received: now, or the date or time given (not in the future)."""
    value = fields.data.get("received_at")
    if value in (None, ""):
        return utcnow()
    text = str(value).strip()
    try:
        if len(text) == 10:  # that day at 01:00; today, while not yet an hour old, now (not "in the future")
            day = datetime.date.fromisoformat(text)
            stamp = local_midnight_utc(day) + datetime.timedelta(hours=1)
            if day == local_today():
                stamp = min(stamp, utcnow())
        else:
            parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone())
            stamp = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    except ValueError:
        fields.error("received_at", _("Must be a date like 2026-12-31 or a time like 2026-12-31T09:30."))
        return utcnow()
    if stamp > utcnow() + datetime.timedelta(minutes=5):
        fields.error("received_at", _("Must not be in the future."))
    elif stamp < utcnow() - datetime.timedelta(days=366):
        fields.error("received_at", _("Must be within the last year."))
    return stamp


def read_phone(fields, field="resident_phone"):
    """The resident's phone in its stored form ("" when none given); an error on the field when malformed."""
    raw = fields.data.get(field)
    if raw in (None, ""):
        return ""
    if not isinstance(raw, str) or len(raw) > 32 or phones.normalise(raw) is None:
        fields.error(field, _("Enter a mainland mobile number (13812345678) or a landline with its area code "
                              "(0351-2345678)."))
        return ""
    return phones.normalise(raw)


def read_registration(data):
    """The checked fields of a new petition; Invalid with one message per bad field."""
    fields = Fields(data)
    values = {
        "channel": fields.choice("channel", CHANNELS),
        "category": fields.choice("category", CATEGORIES),
        "area": fields.text("area", required=True, max_length=100),
        "content": fields.text("content", required=True, max_length=MAX_CONTENT, multiline=True),
        "resident_name": fields.text("resident_name", max_length=50),
        "resident_phone": read_phone(fields),
        "received_at": _received_at(fields),
    }
    fields.done()
    return values


def is_repeat(category, area, received_at, exclude_id=None):
    """True when another petition on ``category`` in ``area`` came within petitions.repeat_days before."""
    since = received_at - datetime.timedelta(days=settings()["repeat_days"])
    query = Petition.select().where(Petition.category == category, Petition.area == area,
                                    Petition.received_at >= since, Petition.received_at <= received_at)
    if exclude_id is not None:
        query = query.where(Petition.id != exclude_id)
    return query.exists()


def register(user, data):
    """Register a petition numbered ``SQ-<year>-<seq>`` (supervisors), reply due in working days, repeats flagged."""
    require_use(user)
    if not user.has_role("supervisor"):
        raise Forbidden(_("Only supervisors register petitions."))
    values = read_registration(data)
    received_day = local_day(values["received_at"])
    reply_due = add_working_days(received_day, settings()["reply_within_working_days"])
    with write_transaction():
        repeat = is_repeat(values["category"], values["area"], values["received_at"])
        petition = Petition.create(number=next_number(received_day.year), created_by=user, state="new",
                                   reply_due=reply_due, repeat=repeat, **values)
        PetitionEvent.create(petition=petition, actor=user, action="register", from_state=None, to_state="new",
                             data={"repeat": repeat})
    return petition


# --- the actions ----------------------------------------------------------------------

def _assign(petition, f, ctx):
    department = ctx["department"]
    if department.id == petition.department_id:
        f.error("department", _("The petition is already assigned to this department."))
    return {"department": department.id}, {"department": department.code}


def _answer(petition, f, ctx):
    late = ctx["today"] > petition.reply_due
    return {"reply": ctx["reply"], "replied_at": ctx["now"], "replied_late": late}, {"late": late}


def _convert(petition, f, ctx):
    if petition.item_id is not None:
        raise Conflict(_("This petition is already a supervision item."))
    department = Department.get_by_id(petition.department_id)
    label = str(CATEGORY_LABELS[petition.category])
    content = phones.mask_text(petition.content)  # the item is read by handlers: no phone in it
    summary = " ".join(content.split())
    title = _("%(area)s, %(category)s: %(summary)s", area=petition.area, category=label, summary=summary)
    if len(title) > 200:
        title = title[:199] + "…"
    item = item_services.create_item(ctx["user"], {
        "title": title, "content": _("%(content)s\n\n(From the residents' petition %(number)s, received %(date)s.)",
                                     content=content, number=petition.number,
                                     date=local_day(petition.received_at).isoformat()),
        "source_type": "petition", "source_ref": petition.number, "level": "normal",
        "lead_department": department.code})
    ctx["item"] = item
    return {"item": item.id}, {"item": item.number}


def _merge(petition, f, ctx):
    number = ctx["into"].strip().upper()
    target = Petition.get_or_none(Petition.number == number) if "\x00" not in number else None
    if target is None:
        f.error("into", _("No petition %(number)s.", number=number))
    elif target.id == petition.id:
        f.error("into", _("A petition cannot be merged into itself."))
    elif target.state == "merged":
        f.error("into", _("%(number)s was itself merged; merge into the petition it went into.", number=number))
    elif (target.received_at, target.id) > (petition.received_at, petition.id):
        f.error("into", _("Merge into an earlier petition (this one was received %(date)s).",
                          date=local_day(petition.received_at)))
    f.done()
    PetitionEvent.create(petition=target, actor=ctx["user"], action="merged_in", from_state=target.state,
                         to_state=target.state, comment=ctx["comment"], data={"from": petition.number})
    return {"merged_into": target.id}, {"into": target.number}


def _close(petition, f, ctx):
    return {"satisfaction": ctx["satisfaction"], "closed_at": ctx["now"]}, {"satisfaction": ctx["satisfaction"]}


STEPS = {"assign": _assign, "answer": _answer, "convert": _convert, "merge": _merge, "close": _close}
assert set(STEPS) == set(ACTIONS)


def perform(user, petition, action_name, data):
    """Run ``action_name`` on ``petition`` as ``user`` in one transaction; return (its event, the petition after).

    Checks, in order: the action exists (404), the actor (403), the state (409), ``version``
    (422 missing, 409 stale), the input (422).
    """
    action = ACTIONS.get(action_name)
    if action is None:
        raise NotFound(_("There is no action %(name)s.", name=action_name))
    data = data or {}
    with write_transaction():
        petition = Petition.get_by_id(petition.id)
        if not may_act(user, petition, action):
            raise Forbidden(_("You may not do this on this petition."))
        if petition.state not in action.from_states:
            raise Conflict(_("This action is not possible while the petition is in its current state."))
        fields = Fields(data)
        version = fields.version()
        fields.done()
        if version != petition.version:
            raise Conflict(_("Someone else changed this petition in the meantime. Reload it and try again."))
        values = fields.action(action)
        fields.done()
        comment = values.get("reply") or values.get("comment") or ""
        ctx = {"user": user, "today": local_today(), "now": utcnow(), **values, "comment": comment}
        changes, event_data = STEPS[action.name](petition, fields, ctx)
        fields.done()
        to_state = action.target(petition.state)
        changed = (Petition.update(**changes, state=to_state, version=Petition.version + 1)
                   .where(Petition.id == petition.id, Petition.version == version).execute())
        if changed != 1:
            raise Conflict(_("Someone else changed this petition in the meantime. Reload it and try again."))
        event = PetitionEvent.create(petition=petition, actor=user, action=action.name, from_state=petition.state,
                                     to_state=to_state, comment=comment, data=event_data)
        after = Petition.get_by_id(petition.id)
        notify(after, event, recipients.for_action(after, action))
    return event, after


def notify(petition, event, people, kind=None):
    """Outbox rows for ``event`` (inside its transaction); no phone number ever goes into one."""
    people = sorted({p for p in people if p is not None and p != event.actor_id})
    if not people:
        return 0
    title = f"{petition.number} {CATEGORY_LABELS[petition.category]} · {petition.area}"
    data = {"petition": petition.number, "title": title[:200], "text": phones.mask_text(event.comment)}
    kind = kind or f"petition_{event.action}"
    rows = [{"kind": kind, "recipient": person, "item": None, "event": None, "data": data,
             "dedupe_key": f"petition:{event.id}:{person}"} for person in people]
    Outbox.insert_many(rows).execute()
    if has_app_context():
        g.notify_outbox_written = True
    return len(rows)
