"""Supervision items, their events (留痕), extensions, attachments and followers."""

import peewee

from ..auth.models import Department, User
from ..kernel.db import BaseModel, JSONField, utcnow
from ..kernel.numbering import YearSequence

STATES = ("draft", "dispatched", "in_progress", "returned", "closure_requested",
          "pending_approval", "closed", "cancelled")
OPEN_STATES = ("dispatched", "in_progress", "returned", "closure_requested", "pending_approval")
# Finished: nothing more happens to the item but rating (closed) or nothing at all (cancelled).
FINISHED_STATES = ("closed", "cancelled")
SOURCE_TYPES = ("meeting", "instruction", "document", "key_task", "petition", "inspection", "other")
LEVELS = ("major", "important", "normal")
RETURN_REASONS = ("not_our_remit", "wording", "needs_coordination", "other")


class Item(BaseModel):
    number = peewee.CharField(max_length=32, unique=True)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    title = peewee.CharField(max_length=200)
    content = peewee.TextField(default="")
    source_type = peewee.CharField(max_length=16)
    source_ref = peewee.CharField(max_length=200, default="")
    level = peewee.CharField(max_length=16, default="normal")
    lead_department = peewee.ForeignKeyField(Department, backref="lead_items", on_delete="RESTRICT")
    leader = peewee.ForeignKeyField(User, null=True, backref="led_items", on_delete="SET NULL")
    supervisor = peewee.ForeignKeyField(User, null=True, backref="supervised_items", on_delete="SET NULL")
    deadline = peewee.DateField()
    feedback_cycle_days = peewee.IntegerField(default=0)
    next_feedback_due = peewee.DateField(null=True)
    state = peewee.CharField(max_length=20, default="draft")
    progress = peewee.IntegerField(default=0)
    score = peewee.IntegerField(null=True)
    created_by = peewee.ForeignKeyField(User, backref="created_items", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)
    dispatched_at = peewee.DateTimeField(null=True)
    # Signing for an item is due by this working day; late signatures are flagged (领办逾期).
    accept_due = peewee.DateField(null=True)
    accepted_at = peewee.DateTimeField(null=True)
    accepted_late = peewee.BooleanField(default=False)
    late_feedback_count = peewee.IntegerField(default=0)
    last_feedback_at = peewee.DateTimeField(null=True)
    last_urged_at = peewee.DateTimeField(null=True)
    extension_count = peewee.IntegerField(default=0)
    return_count = peewee.IntegerField(default=0)
    closed_at = peewee.DateTimeField(null=True)
    closed_on_time = peewee.BooleanField(null=True)
    version = peewee.IntegerField(default=1)

    class Meta:
        indexes = (
            (("deadline",), False),
            (("state", "deadline"), False),
            (("state", "next_feedback_due"), False),
            (("lead_department", "state"), False),
            (("supervisor", "state"), False),
            (("leader", "state"), False),
        )

    def __str__(self):
        return f"{self.number} {self.title}"


# The open states as SQL text: written into statements (is_open) as they stand in the open items' index
# (item_open_deadline, migration 14). They are constants, never input.
OPEN_STATES_SQL = "(" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")"


def is_open():
    """SQL: the item is open. Its states stand in the statement as written, not as bound parameters:
    only then may SQLite use the open items' index (PostgreSQL too, in a generic plan of a prepared
    statement), which walks the few thousand open items by deadline instead of every item or a sort of
    all the matches."""
    return Item.state.in_(peewee.SQL(OPEN_STATES_SQL))


class ItemCoDepartment(BaseModel):
    item = peewee.ForeignKeyField(Item, backref="co_department_rows", on_delete="CASCADE")
    department = peewee.ForeignKeyField(Department, backref="co_items", on_delete="RESTRICT")

    class Meta:
        indexes = ((("item", "department"), True), (("department", "item"), False))


class ItemEvent(BaseModel):
    """One immutable line of an item's timeline: who did what, from which state to which."""

    item = peewee.ForeignKeyField(Item, backref="events", on_delete="RESTRICT")
    actor = peewee.ForeignKeyField(User, null=True, backref="events", on_delete="RESTRICT")
    action = peewee.CharField(max_length=32)
    from_state = peewee.CharField(max_length=20, null=True)
    to_state = peewee.CharField(max_length=20, null=True)
    comment = peewee.TextField(default="")
    data = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "created_at"), False), (("action", "created_at"), False))


class ExtensionRequest(BaseModel):
    item = peewee.ForeignKeyField(Item, backref="extension_requests", on_delete="RESTRICT")
    requested_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    requested_at = peewee.DateTimeField(default=utcnow)
    old_deadline = peewee.DateField()
    new_deadline = peewee.DateField()
    reason = peewee.TextField()
    status = peewee.CharField(max_length=16, default="pending")  # pending, approved, rejected, withdrawn (the item left in_progress)
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    decided_at = peewee.DateTimeField(null=True)
    decision_comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("item", "status"), False),)


class Attachment(BaseModel):
    """A file kept under instance/uploads/ by its SHA-256, never by the uploaded name."""

    item = peewee.ForeignKeyField(Item, backref="attachments", on_delete="RESTRICT")
    event = peewee.ForeignKeyField(ItemEvent, null=True, backref="attachments", on_delete="SET NULL")
    uploaded_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    original_name = peewee.CharField(max_length=255)
    sha256 = peewee.CharField(max_length=64, index=True)
    size = peewee.IntegerField()
    content_type = peewee.CharField(max_length=128, default="application/octet-stream")
    created_at = peewee.DateTimeField(default=utcnow)
    # Its text for the search (migration 33), read by the job items.extract: pending -> done | no_text | failed.
    extract_status = peewee.CharField(max_length=16, default="pending")
    extract_error = peewee.CharField(max_length=255, default="")
    text = peewee.TextField(default="")


class Follow(BaseModel):
    """A leader or supervisor following (关注) an item."""

    user = peewee.ForeignKeyField(User, backref="follows", on_delete="CASCADE")
    item = peewee.ForeignKeyField(Item, backref="followers", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "item"), True),)


class Delegation(BaseModel):
    """An admin names ``delegate`` to decide for ``leader`` from ``starts`` to ``ends`` (absences)."""

    leader = peewee.ForeignKeyField(User, backref="delegations", on_delete="CASCADE")
    delegate = peewee.ForeignKeyField(User, backref="delegated_to_me", on_delete="CASCADE")
    starts = peewee.DateField()
    ends = peewee.DateField()
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("delegate", "ends"), False),)


class NumberSequence(YearSequence):
    """The last item number given per year: ``DB-<year>-<seq>``."""


MODELS = [Item, ItemCoDepartment, ItemEvent, ExtensionRequest, Attachment, Follow, NumberSequence]
