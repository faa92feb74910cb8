"""In-app notifications and the outbox that feeds every channel."""

import peewee

from ..auth.models import User
from ..db import BaseModel, utcnow
from ..items.models import Item, ItemEvent, JSONField


class Outbox(BaseModel):
    """A notification to deliver, written in the same transaction as its event.

    ``kind`` is the event (``dispatch``, ``urge``, ``reminder_overdue``…);
    ``dedupe_key`` makes a reminder unique per item, kind and day.
    """

    kind = peewee.CharField(max_length=32)
    recipient = peewee.ForeignKeyField(User, backref="outbox", on_delete="CASCADE")
    item = peewee.ForeignKeyField(Item, null=True, backref="outbox", on_delete="CASCADE")
    event = peewee.ForeignKeyField(ItemEvent, null=True, backref="outbox", on_delete="CASCADE")
    data = JSONField(default=dict)
    dedupe_key = peewee.CharField(max_length=128, null=True, unique=True)
    status = peewee.CharField(max_length=16, default="pending")
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    delivered_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "id"), False),)


class Notification(BaseModel):
    """What a user sees in the portal (always delivered, whatever the other channels do)."""

    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    outbox = peewee.ForeignKeyField(Outbox, null=True, unique=True, on_delete="SET NULL")
    item = peewee.ForeignKeyField(Item, null=True, on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    title = peewee.CharField(max_length=255)
    body = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False), (("user", "created_at"), False))


MODELS = [Outbox, Notification]
