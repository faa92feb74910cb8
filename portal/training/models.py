"""Training tables (migration 4): trainings, their materials and enrolments with attendance."""

import peewee

from ..auth.models import User
from ..kb.models import Article
from ..kernel.db import BaseModel, utcnow


class Training(BaseModel):
    """Times are wall-clock times in ``app.timezone`` (what the office types and reads)."""

    title = peewee.CharField(max_length=200)
    starts_at = peewee.DateTimeField()
    ends_at = peewee.DateTimeField()
    place = peewee.CharField(max_length=200)
    trainer = peewee.CharField(max_length=100)
    capacity = peewee.IntegerField()
    enrol_until = peewee.DateTimeField()
    description = peewee.TextField(default="")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    @property
    def hours(self):
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)


class TrainingMaterial(BaseModel):
    training = peewee.ForeignKeyField(Training, backref="materials", on_delete="CASCADE")
    article = peewee.ForeignKeyField(Article, on_delete="CASCADE")

    class Meta:
        indexes = ((("training", "article"), True),)


class TrainingFile(BaseModel):
    """A file among a training's materials, stored by SHA-256 like article attachments."""

    training = peewee.ForeignKeyField(Training, backref="files", on_delete="CASCADE")
    original_name = peewee.CharField(max_length=255)
    sha256 = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    uploaded_by = peewee.ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    uploaded_at = peewee.DateTimeField(default=utcnow)


class Enrolment(BaseModel):
    training = peewee.ForeignKeyField(Training, backref="enrolments", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    enrolled_at = peewee.DateTimeField(default=utcnow)
    present = peewee.BooleanField(null=True)  # None until attendance is recorded
    note = peewee.CharField(max_length=200, default="")
    recorded_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    recorded_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("training", "user"), True),)


MODELS = [Training, TrainingMaterial, TrainingFile, Enrolment]
