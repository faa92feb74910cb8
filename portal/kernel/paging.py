"""Reading ``?page=`` the same way on every paged page."""

from flask import request

# Far beyond any real list, and small enough that (page - 1) * per_page fits every database's integer.
MAX_PAGE = 10**6


def page_arg():
    """The requested page number: 1 when missing or not a positive number, at most MAX_PAGE."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
