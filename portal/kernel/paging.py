"""Paging the same way on every paged page: ``?page=`` read once, counts that stop at a cap."""

import peewee
from flask import request

from .db import database

# Far beyond any real list, and small enough that (page - 1) * per_page fits every database's integer.
MAX_PAGE = 10**6


def page_arg():
    """The requested page number: 1 when missing or not a positive number, at most MAX_PAGE."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


class Total(int):
    """A count that stopped at a cap: it prints as "1000+" and is that much in arithmetic."""

    capped = False

    def __str__(self):
        return f"{int(self)}+" if self.capped else f"{int(self)}"

    @classmethod
    def of(cls, found, cap):
        """The Total of ``found`` rows read up to cap + 1: at most ``cap``, capped when more were found."""
        total = cls(min(found, cap))
        total.capped = found > cap
        return total


def capped_count(query, cap):
    """``query``'s rows counted up to ``cap`` (a Total, capped when more exist): reading at most cap + 1 rows
    keeps a list of 100,000 matches as fast as one of 100."""
    inner = query.select(peewee.SQL("1")).order_by().limit(cap + 1)
    found = peewee.Select([inner.alias("capped")], [peewee.fn.COUNT(peewee.SQL("*"))]).bind(database).scalar()
    return Total.of(found, cap)
