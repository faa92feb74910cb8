"""The petitions' service layer: registration and the actions of workflow.TABLE (who sees what and the
lists are in queries.py).

Pages, the API and the reminder scan call these functions; they raise the portal errors
(404 invisible, 403 wrong actor, 409 wrong state or stale version, 422 input). Every
state change is one transaction: the petition (compared by version in the UPDATE itself),
its event and its outbox rows.
"""

import datetime

from flask_babel import gettext as _, lazy_gettext as _l

from ..auth.forms import Fields
from ..auth.models import Department
from ..calendar import add_working_days
from ..items import services as item_services
from ..kernel import workflow
from ..kernel.changes import write_transaction
from ..kernel.clock import local_day, local_midnight_utc, local_today, zone
from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden
from ..kernel.numbering import next_number
from ..notify import outbox
from . import phones, recipients
from .labels import CATEGORY_LABELS, notice_title
from .models import CATEGORIES, CHANNELS, Petition, PetitionEvent, PetitionSequence, search_copy
from .queries import require_use, settings
from .search import index_petition
from .workflow import ACTIONS, may_act

MAX_CONTENT = 2000


# --- registration ---------------------------------------------------------------------

def _received_at(fields):
    """When the petition was received: now, or the date or time given (not in the future); and whether
    only its day is known (a date given: pages show that date, no hour)."""
    value = fields.data.get("received_at")
    if value in (None, ""):
        return utcnow(), False
    text = str(value).strip()
    on_day = len(text) == 10
    try:
        if on_day:  # that day at 01:00; today, while not yet an hour old, now (not "in the future")
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
        return utcnow(), False
    if stamp > utcnow() + datetime.timedelta(minutes=5):
        fields.error("received_at", _("Must not be in the future."))
    elif stamp < utcnow() - datetime.timedelta(days=366):
        fields.error("received_at", _("Must be within the last year."))
    return stamp, on_day


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
    }
    values["received_at"], values["received_on_day"] = _received_at(fields)
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
        petition = Petition.create(number=next_number(PetitionSequence, "SQ", received_day.year), created_by=user,
                                   state="new", reply_due=reply_due, repeat=repeat, **values,
                                   **search_copy(values["area"], values["resident_name"], values["content"]))
        index_petition(petition.id)
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
    # The item is read by handlers (and its text travels on: notices, robots, search): no phone in it.
    content, area = phones.mask_text(petition.content), phones.mask_text(petition.area)
    summary = " ".join(content.split())
    title = _("%(area)s, %(category)s: %(summary)s", area=area, category=label, summary=summary)
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


class PetitionWorkflow(workflow.Workflow):
    """The petitions' actions for the kernel's engine: the table's rules, the petition's event, and the
    notices of the petition as it is after the action."""

    model, event_model, subject_field = Petition, PetitionEvent, "petition"
    actions, steps = ACTIONS, STEPS
    forbidden = _l("You may not do this on this petition.")
    wrong_state = _l("This action is not possible while the petition is in its current state.")
    stale = _l("Someone else changed this petition in the meantime. Reload it and try again.")
    fields, may_act = Fields, staticmethod(may_act)

    def comment(self, values):
        return values.get("reply") or values.get("comment") or ""

    def finish(self, petition, action, event, ctx):
        after = Petition.get_by_id(petition.id)
        if action.name == "answer":
            index_petition(after.id)  # the reply is searchable
        notify(after, event, recipients.for_action(after, action))
        return event, after


WORKFLOW = PetitionWorkflow()


def perform(user, petition, action_name, data):
    """Run ``action_name`` on ``petition`` as ``user`` in one transaction; return (its event, the petition after).

    Checks, in order: the action exists (404), the actor (403), the state (409), ``version``
    (422 missing, 409 stale), the input (422).
    """
    return workflow.perform(WORKFLOW, user, petition, action_name, data)


def notify(petition, event, people, kind=None):
    """Outbox rows for ``event`` (inside its transaction); no phone number ever goes into one."""
    people = sorted({p for p in people if p is not None and p != event.actor_id})
    if not people:
        return 0
    data = {"petition": petition.number, "title": notice_title(petition), "text": phones.mask_text(event.comment)}
    kind = kind or f"petition_{event.action}"
    return outbox.write([{"kind": kind, "recipient": person, "item": None, "event": None, "data": data,
                          "dedupe_key": f"petition:{event.id}:{person}"} for person in people])
