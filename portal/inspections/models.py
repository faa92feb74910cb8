"""Field inspections (实地督查): the plan, its members and linked items, findings and their photos."""

import peewee

from ..auth.models import User
from ..items.models import Item, ItemEvent
from ..kernel.db import BaseModel, utcnow

SEVERITIES = ("minor", "serious", "critical")
# What a finding became: a new supervision item, or a note (an urge) on a linked item.
OUTCOMES = ("new_item", "note")


class Inspection(BaseModel):
    subject = peewee.CharField(max_length=200)
    date = peewee.DateField()
    places = peewee.TextField(default="")  # one place per line
    planned_by = peewee.ForeignKeyField(User, backref="planned_inspections", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("date",), False),)

    @property
    def place_list(self):
        return [line for line in self.places.splitlines() if line.strip()]


class InspectionMember(BaseModel):
    inspection = peewee.ForeignKeyField(Inspection, backref="member_rows", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="inspection_rows", on_delete="RESTRICT")

    class Meta:
        indexes = ((("inspection", "user"), True), (("user", "inspection"), False))


class InspectionItem(BaseModel):
    inspection = peewee.ForeignKeyField(Inspection, backref="item_rows", on_delete="CASCADE")
    item = peewee.ForeignKeyField(Item, backref="inspection_rows", on_delete="RESTRICT")

    class Meta:
        indexes = ((("inspection", "item"), True),)


class Finding(BaseModel):
    """What a member saw at the site. ``item``: the linked item it concerns, or the item it became."""

    inspection = peewee.ForeignKeyField(Inspection, backref="findings", on_delete="RESTRICT")
    recorded_by = peewee.ForeignKeyField(User, backref="findings", on_delete="RESTRICT")
    text = peewee.TextField()
    severity = peewee.CharField(max_length=16, default="minor")
    item = peewee.ForeignKeyField(Item, null=True, backref="findings", on_delete="RESTRICT")
    outcome = peewee.CharField(max_length=16, null=True)
    event = peewee.ForeignKeyField(ItemEvent, null=True, backref="+", on_delete="SET NULL")
    converted_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    converted_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("inspection", "id"), False), (("item",), False))


class FindingPhoto(BaseModel):
    """A photo of a finding, re-encoded without any metadata, kept in the upload store by SHA-256."""

    finding = peewee.ForeignKeyField(Finding, backref="photos", on_delete="RESTRICT")
    sha256 = peewee.CharField(max_length=64, index=True)
    thumb_sha256 = peewee.CharField(max_length=64, index=True)
    content_type = peewee.CharField(max_length=32)
    size = peewee.IntegerField()
    width = peewee.IntegerField()
    height = peewee.IntegerField()
    created_at = peewee.DateTimeField(default=utcnow)


MODELS = [Inspection, InspectionMember, InspectionItem, Finding, FindingPhoto]
