"""The search index (migration 4): one row per word of a searchable object and field."""

import peewee

from ..kernel.db import BaseModel

TITLE, BODY = "t", "b"


class SearchToken(BaseModel):
    """``token`` (a word from jieba, lower-cased) occurs in field ``field`` (t title, b body) of
    object ``ref_id`` of kind ``kind``. Rewritten whole when the object's text changes."""

    kind = peewee.CharField(max_length=8)
    ref_id = peewee.IntegerField()
    field = peewee.CharField(max_length=1)
    token = peewee.CharField(max_length=64)

    class Meta:
        primary_key = False
        indexes = (
            (("token", "kind", "ref_id", "field"), True),
            (("kind", "ref_id"), False),
        )


MODELS = [SearchToken]
