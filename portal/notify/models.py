"""In-app notifications, the outbox that feeds every channel, and per-channel delivery records."""

import peewee

from ..auth.models import Department, User
from ..items.models import Item, ItemEvent
from ..kernel.db import BaseModel, JSONField, utcnow

# pending: written, waiting for the relay; queued: handed to a job; sending: a job
# holds its lease; delivered; failed: out of attempts, waiting for an admin's retry; withheld: the
# recipient could no longer see the item (or was deactivated) when it was to be delivered.
OUTBOX_STATES = ("pending", "queued", "sending", "delivered", "failed", "withheld")
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")


class Outbox(BaseModel):
    """A notification to deliver, written in the same transaction as its event.

    ``kind`` is the event (``dispatch``, ``urge``, ``reminder_overdue``…);
    ``dedupe_key`` makes a reminder unique per item, kind, recipient and day.
    ``lease_until`` is when a queued or sending row counts as abandoned and is
    handed out again.
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
    lease_until = peewee.DateTimeField(null=True)
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


class Delivery(BaseModel):
    """One message sent (or being sent) on one channel; ``key`` makes it happen once.

    E-mail: ``email:<outbox id>``. Robot: ``robot:<event or reminder>:<department id>``,
    so a group chat hears of an event once however many of its members are notified;
    ``outbox`` is the row whose job owns (sends and retries) it.
    """

    key = peewee.CharField(max_length=160, unique=True)
    outbox = peewee.ForeignKeyField(Outbox, backref="deliveries", on_delete="CASCADE")
    channel = peewee.CharField(max_length=16)  # email, robot
    target = peewee.CharField(max_length=500, default="")
    status = peewee.CharField(max_length=16, default="sending")  # sending, sent, failed
    attempts = peewee.IntegerField(default=0)
    error = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=utcnow)
    sent_at = peewee.DateTimeField(null=True)


class DepartmentRobot(BaseModel):
    """A department's group-chat robot webhook (企业微信, 钉钉 or 飞书)."""

    department = peewee.ForeignKeyField(Department, unique=True, backref="robots", on_delete="CASCADE")
    kind = peewee.CharField(max_length=16)
    url = peewee.CharField(max_length=500)
    # 钉钉/飞书 "加签" (signature) secret; empty when the robot uses a keyword or IP allow-list.
    secret = peewee.CharField(max_length=200, default="")
    active = peewee.BooleanField(default=True)
    updated_at = peewee.DateTimeField(default=utcnow)


ALL_KINDS = "*"  # the kind of the EmailPreference row that turns a person's e-mail off as a whole


class EmailPreference(BaseModel):
    """A user's choice of e-mail for one kind of notification (no row: e-mail on); the row of kind ALL_KINDS
    is their switch for e-mail as a whole, which wins over each kind's."""

    user = peewee.ForeignKeyField(User, backref="email_preferences", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    email = peewee.BooleanField(default=True)

    class Meta:
        indexes = ((("user", "kind"), True),)


MODELS = [Outbox, Notification, Delivery, DepartmentRobot, EmailPreference]
