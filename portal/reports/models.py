"""Tables of the reports feature (migration 5): calendar feeds, report jobs, imported key-task rows; the
circulars' numbers per year (migration 20)."""

import peewee

from ..auth.models import User
from ..items.models import Item
from ..kernel.db import BaseModel, JSONField, utcnow
from ..kernel.numbering import YearSequence


class CalendarFeed(BaseModel):
    """A user's secret iCalendar feed: the URL carries ``nonce`` and an HMAC of it (never stored).

    Rotating replaces the nonce, so the old URL stops working at once.
    """

    user = peewee.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    nonce = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class ReportJob(BaseModel):
    """A report made in the background (the circular, an import): whose it is, how far, what came out."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)  # "circular", "key_task_import"
    state = peewee.CharField(max_length=16, default="queued")  # queued, started, finished, failed
    progress = peewee.IntegerField(default=0)
    params = JSONField(default=dict)
    result = JSONField(null=True)
    file_path = peewee.CharField(max_length=500, default="")
    file_name = peewee.CharField(max_length=255, default="")
    error = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    finished_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "created_at"), False),)


class ImportedRow(BaseModel):
    """A key-task row already imported, by the fingerprint of its values: importing it again creates nothing."""

    fingerprint = peewee.CharField(max_length=64, unique=True)
    item = peewee.ForeignKeyField(Item, backref="+", on_delete="CASCADE")
    job = peewee.ForeignKeyField(ReportJob, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)


class CircularSequence(YearSequence):
    """The last circular number given per year: the {seq} of ``reports.number_format`` (migration 20)."""


MODELS = [CalendarFeed, ReportJob, ImportedRow, CircularSequence]
