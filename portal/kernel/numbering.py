"""Numbers given per year, such as DB-2026-0001 (items) and SQ-2026-0001 (petitions): unique under
concurrency, never reused.

Each kind of number keeps the last one given per year in a table of its own (a ``YearSequence``);
``next_number`` takes that year's row in the caller's transaction, so two writers wait for each other
instead of giving the same number.
"""

import peewee

from .db import BaseModel


class YearSequence(BaseModel):
    """The last number given per year (a table per kind of number)."""

    year = peewee.IntegerField(primary_key=True)
    last = peewee.IntegerField(default=0)


def next_in_year(sequence, year):
    """The next sequence number (1, 2, …) of ``year`` in ``sequence`` (a YearSequence model); its row stays
    locked until the caller's transaction ends."""
    sequence.insert(year=year, last=0).on_conflict_ignore().execute()
    sequence.update(last=sequence.last + 1).where(sequence.year == year).execute()
    return sequence.select(sequence.last).where(sequence.year == year).scalar()


def next_number(sequence, prefix, year):
    """The next ``<prefix>-<year>-<seq>`` of ``sequence`` (a YearSequence model); its row stays locked until
    the caller's transaction ends."""
    return f"{prefix}-{year}-{next_in_year(sequence, year):04d}"
