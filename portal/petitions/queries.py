"""Who sees which petitions and what of them, and the lists: named queries composed in SQL.

Leaders and supervisors see every petition and a resident's phone; a handler sees the petitions
assigned to their department, with phone numbers masked (also inside any text). Pages, the API,
the export, the reminder scan and the notifications all ask here.
"""

import datetime

import peewee
from flask import current_app
from flask_babel import gettext as _

from ..auth.forms import Fields
from ..auth.models import Department
from ..items.models import Item
from ..kernel.clock import local_midnight_utc, local_today
from ..kernel.errors import Forbidden, NotFound
from . import phones
from .models import CATEGORIES, CHANNELS, STATES, Petition, PetitionEvent

WAITING_FOR_REPLY = ("new", "assigned")


def settings():
    return current_app.config["PORTAL"]["petitions"]


# --- who sees what ----------------------------------------------------------------

def sees_all(user):
    """Leaders and supervisors see every petition and residents' phone numbers."""
    return user.has_role("leader", "supervisor")


def shows_phone(user):
    """True when ``user`` may read a resident's phone number unmasked (docs/front-line.md)."""
    return sees_all(user)


def may_use(user):
    """True for the roles that work with petitions (leaders, supervisors, handlers)."""
    return user.has_role("leader", "supervisor", "handler")


def require_use(user):
    if not may_use(user):
        raise Forbidden(_("Petitions are for leaders, supervisors and handlers."))


def visible_petitions(user):
    """Petitions ``user`` may see: all for leaders and supervisors; a handler's department's."""
    query = Petition.select()
    if sees_all(user):
        return query
    if user.has_role("handler") and user.department_id is not None:
        return query.where(Petition.department == user.department_id)
    return query.where(peewee.SQL("1 = 0"))


def can_see(user, petition):
    return sees_all(user) or (user.has_role("handler") and user.department_id is not None
                              and petition.department_id == user.department_id)


def may_see_number(user, number):
    """True when ``user`` may see the petition numbered ``number`` (the notification check at delivery)."""
    petition = Petition.get_or_none(Petition.number == str(number))
    return petition is not None and may_use(user) and can_see(user, petition)


def get_visible(user, number):
    """The petition numbered ``number`` if ``user`` may see it; NotFound otherwise."""
    require_use(user)
    number = str(number).strip().upper()
    petition = None if "\x00" in number else Petition.get_or_none(Petition.number == number)
    if petition is None or not can_see(user, petition):
        raise NotFound(_("No petition %(number)s, or you may not see it.", number=number))
    return petition


def shown_text(user, text):
    """Free text of a petition (content, reply, comments, area, the resident's name) as ``user`` may read it:
    the phone numbers written in it, however written, masked for handlers (phones.mask_text)."""
    return text if shows_phone(user) else phones.mask_text(text)


def shown_phone(user, petition):
    """The resident's phone as ``user`` may read it (masked for handlers)."""
    return petition.resident_phone if shows_phone(user) else phones.mask(petition.resident_phone)


# --- lists ----------------------------------------------------------------------------

def overdue_condition(today=None):
    """SQL: a petition still waiting for its reply after its reply_due day."""
    today = today or local_today()
    return Petition.state.in_(WAITING_FOR_REPLY) & (Petition.reply_due < today)


def _date(value, field, fields):
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        fields.error(field, _("Must be a date like 2026-12-31."))
        return None


FILTERS = ("state", "category", "channel", "department", "area", "q", "repeat", "overdue", "from", "to")


def filter_petitions(user, filters, today=None):
    """``visible_petitions(user)`` narrowed by the list filters; 422 on a malformed date."""
    today = today or local_today()
    query = visible_petitions(user)
    if any("\x00" in str(value) for value in filters.values()):
        return query.where(peewee.SQL("1 = 0"))  # no stored text holds NUL (and PostgreSQL cannot compare it)
    fields = Fields(filters)
    for key, choices, column in (("state", STATES, Petition.state), ("category", CATEGORIES, Petition.category),
                                 ("channel", CHANNELS, Petition.channel)):
        if wanted := [v for v in str(filters.get(key) or "").split(",") if v]:
            query = query.where(column.in_([v for v in wanted if v in choices] or [""]))
    if codes := [c for c in str(filters.get("department") or "").split(",") if c]:
        query = query.where(Petition.department.in_(Department.select(Department.id).where(Department.code.in_(codes))))
    # A handler's filters read the copy without phone numbers: no query may test a digit they see masked.
    phones_shown = shows_phone(user)
    if area := str(filters.get("area") or "").strip():
        query = query.where((Petition.area if phones_shown else Petition.search_area).contains(area))
    if q := str(filters.get("q") or "").strip():
        match = Petition.number.contains(q)
        if phones_shown:
            match |= Petition.area.contains(q) | Petition.content.contains(q) | Petition.resident_name.contains(q)
            digits = "".join(ch for ch in q if ch.isdigit())
            if len(digits) >= 4:
                match |= Petition.resident_phone.contains(digits)
        else:
            match |= Petition.search_text.contains(q)
        query = query.where(match)
    if str(filters.get("repeat") or "") in ("1", "true"):
        query = query.where(Petition.repeat == True)  # noqa: E712
    if str(filters.get("overdue") or "") in ("1", "true"):
        query = query.where(overdue_condition(today))
    for key, compare in (("from", "__ge__"), ("to", "__lt__")):
        if value := filters.get(key):
            day = _date(value, key, fields)
            if day is not None:
                bound = local_midnight_utc(day if key == "from" else day + datetime.timedelta(days=1))
                query = query.where(getattr(Petition.received_at, compare)(bound))
    fields.done()
    return query


def search_petitions(user, filters, page=1, per_page=20, today=None):
    """One page of the petitions ``user`` may see matching ``filters`` (newest first) with their
    departments, and the total."""
    require_use(user)
    query = filter_petitions(user, filters, today)
    total = query.select(peewee.fn.COUNT(peewee.SQL("*"))).order_by().scalar()
    if page > 1 and (page - 1) * per_page >= total:
        return [], total
    rows = list(query.select(Petition, Department, Item.number)
                .join_from(Petition, Department, peewee.JOIN.LEFT_OUTER, on=Petition.department == Department.id,
                           attr="department")
                .join_from(Petition, Item, peewee.JOIN.LEFT_OUTER, on=Petition.item == Item.id, attr="item")
                .order_by(Petition.received_at.desc(), Petition.id.desc()).paginate(page, per_page))
    return rows, total


def repeats_of(user, petition):
    """The other petitions ``user`` may see on the same category and area within petitions.repeat_days
    either side of this one (the 重复诉求 it repeats or that repeat it), oldest first."""
    window = datetime.timedelta(days=settings()["repeat_days"])
    return list(visible_petitions(user).where(
        Petition.category == petition.category, Petition.area == petition.area, Petition.id != petition.id,
        Petition.received_at.between(petition.received_at - window, petition.received_at + window))
        .order_by(Petition.received_at, Petition.id).limit(20))


def events_of(petition):
    from ..auth.models import User

    return list(PetitionEvent.select(PetitionEvent, User)
                .join(User, peewee.JOIN.LEFT_OUTER, on=PetitionEvent.actor == User.id)
                .where(PetitionEvent.petition == petition.id).order_by(PetitionEvent.id))
