"""Residents' petitions (群众诉求, docs/front-line.md), their events (留痕) and numbers."""

import peewee

from ..auth.models import Department, User
from ..items.models import Item
from ..kernel.db import BaseModel, JSONField, utcnow
from ..kernel.numbering import YearSequence
from .phones import strip_text

CHANNELS = ("hotline", "visit", "letter", "online", "inspection")
CATEGORIES = ("property", "heating", "gas", "water_power", "commute", "canteen", "kindergarten", "retiree",
              "culture", "housing", "other")
STATES = ("new", "assigned", "answered", "closed", "merged")
OPEN_STATES = ("new", "assigned", "answered")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


class Petition(BaseModel):
    number = peewee.CharField(max_length=32, unique=True)
    channel = peewee.CharField(max_length=16)
    category = peewee.CharField(max_length=16)
    area = peewee.CharField(max_length=100)
    content = peewee.TextField()
    resident_name = peewee.CharField(max_length=50, default="")
    resident_phone = peewee.CharField(max_length=32, default="")
    received_at = peewee.DateTimeField(default=utcnow)
    received_on_day = peewee.BooleanField(default=False)  # only the day is known: shown as a date, no hour
    reply_due = peewee.DateField()
    state = peewee.CharField(max_length=16, default="new")
    department = peewee.ForeignKeyField(Department, null=True, backref="petitions", on_delete="RESTRICT")
    reply = peewee.TextField(default="")
    replied_at = peewee.DateTimeField(null=True)
    replied_late = peewee.BooleanField(default=False)
    item = peewee.ForeignKeyField(Item, null=True, backref="petitions", on_delete="RESTRICT")
    merged_into = peewee.ForeignKeyField("self", null=True, backref="merged", on_delete="RESTRICT")
    satisfaction = peewee.CharField(max_length=24, null=True)
    repeat = peewee.BooleanField(default=False)  # 重复诉求: same category and area within petitions.repeat_days
    created_by = peewee.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    closed_at = peewee.DateTimeField(null=True)
    version = peewee.IntegerField(default=1)
    # What a handler's search reads (migration 32): the area, and the area, name and content, with the phone
    # numbers written in them left out (phones.strip_text), so that no query can test a hidden digit.
    search_area = peewee.CharField(max_length=100, default="")
    search_text = peewee.TextField(default="")

    class Meta:
        indexes = (
            (("state", "reply_due"), False),
            (("department", "state"), False),
            (("category", "area", "received_at"), False),
            (("received_at",), False),
        )


def search_copy(area, resident_name, content):
    """The values of ``search_area`` and ``search_text`` for a petition's area, resident's name and content."""
    return {"search_area": strip_text(area or ""),
            "search_text": strip_text("\n".join((area or "", resident_name or "", content or "")))}


class PetitionEvent(BaseModel):
    """One immutable line of a petition's timeline."""

    petition = peewee.ForeignKeyField(Petition, backref="events", on_delete="RESTRICT")
    actor = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    action = peewee.CharField(max_length=32)
    from_state = peewee.CharField(max_length=16, null=True)
    to_state = peewee.CharField(max_length=16, null=True)
    comment = peewee.TextField(default="")
    data = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("petition", "created_at"), False),)


class PetitionSequence(YearSequence):
    """The last petition number given per year: ``SQ-<year>-<seq>``."""


MODELS = [Petition, PetitionEvent, PetitionSequence]
