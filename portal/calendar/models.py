"""The working-day calendar: holidays and 调休 working weekends, per year entered."""

import peewee

from ..kernel.db import BaseModel, utcnow


class Holiday(BaseModel):
    """A calendar exception: a 法定节假日 (workday=False) or a 调休 weekend worked (workday=True)."""

    day = peewee.DateField(primary_key=True)
    workday = peewee.BooleanField()
    name = peewee.CharField(max_length=64, default="")


class CalendarYear(BaseModel):
    """A year whose holidays have been entered (seeded, imported or edited); others fall back to weekends."""

    year = peewee.IntegerField(primary_key=True)
    source = peewee.CharField(max_length=32)  # "chinese_calendar", "import", "admin"
    updated_at = peewee.DateTimeField(default=utcnow)


MODELS = [Holiday, CalendarYear]
