"""How far each user has read the instruction feed (灵通信息)."""

import peewee

from ..auth.models import User
from ..kernel.db import BaseModel, utcnow


class FeedCursor(BaseModel):
    """The newest item event ``user`` has seen in the feed: events after it are unread."""

    user = peewee.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    last_seen = peewee.BigIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)


MODELS = [FeedCursor]
