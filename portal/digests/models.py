"""The leaders' weekly digests (定期听取汇报): one per leader and ISO week, archived as sent."""

import peewee

from ..auth.models import User
from ..kernel.db import BaseModel, JSONField, utcnow


class Digest(BaseModel):
    """What one leader was told about one week (``week``: ISO ``YYYY-Www``); the unique key makes a second
    maker (another worker, a retry, the command) a no-op."""

    leader = peewee.ForeignKeyField(User, backref="digests", on_delete="CASCADE")
    week = peewee.CharField(max_length=8)
    period_start = peewee.DateField()
    period_end = peewee.DateField()
    sections = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("leader", "week"), True),)


MODELS = [Digest]
