"""Bulk actions on the list (批量催办, 批量交办): several items, one action, each item on its own.

Each item goes through the one workflow (actions.perform): its own transaction, the same permission
check, the same rules (the urge gap of ``reminders.min_urge_gap_hours``) and notices. One item's refusal
or failure undoes nothing of the others; each item gets its result: done, or why not.
"""

import datetime
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden, Invalid, NotFound, PortalError
from . import actions, services
from .workflow import ACTIONS

BULK_ACTIONS = ("urge", "dispatch")
MAX_ITEMS = 100  # items in one bulk action

DONE = {"urge": _l("Urged"), "dispatch": _l("Dispatched")}
STATUS_LABELS = {
    "forbidden": _l("Not permitted"),
    "wrong_state": _l("Not possible in its state"), "not_found": _l("Not found"), "invalid": _l("Invalid input"),
    "conflict": _l("Changed by someone else"),
}


@dataclass
class Result:
    number: str
    status: str  # "done" or a key of STATUS_LABELS
    message: str = ""
    title: str = ""

    @property
    def ok(self):
        return self.status == "done"

    def label(self, action):
        if self.status == "urged_recently":
            return _("Already urged within %(hours)s hours", hours=_gap_hours())
        return str(DONE[action] if self.ok else STATUS_LABELS[self.status])

    def as_json(self, action):
        return {"item": self.number, "status": self.status, "ok": self.ok, "label": self.label(action),
                "message": self.message}


def numbers_of(value):
    """The item numbers asked for (a list of strings, each once, in order); 422 when none or too many."""
    if not isinstance(value, list) or not all(isinstance(number, str) for number in value):
        _refuse("items", _("Give the items as a list of numbers."))
    numbers = list(dict.fromkeys(number.strip() for number in value if number.strip()))
    if not numbers:
        _refuse("items", _("Select at least one item."))
    if len(numbers) > MAX_ITEMS:
        _refuse("items", _("At most %(n)s items at a time.", n=MAX_ITEMS))
    return numbers


def _refuse(field, message):
    raise Invalid(message, fields={field: message})


def check(action, comment):
    """422 before any item is touched: an action that is not a bulk action, a missing urging message."""
    if action not in BULK_ACTIONS:
        raise NotFound(_("There is no bulk action %(name)s.", name=action))
    if not isinstance(comment, str):
        _refuse("comment", _("The message must be text."))
    if ACTIONS[action].input("comment") is not None and ACTIONS[action].input("comment").required is True \
            and not comment.strip():
        _refuse("comment", _("This field is required."))


def perform(user, action, numbers, comment=""):
    """Take ``action`` on each item of ``numbers`` as ``user``; the list of their Results, in order."""
    check(action, comment)
    results = []
    for number in numbers_of(numbers):
        results.append(_one(user, action, number, comment))
    return results


def _one(user, action, number, comment):
    if len(number) > 40 or not number.isprintable():  # no number is; PostgreSQL cannot even compare NUL
        return Result(number[:40], "not_found", _("No item %(number)s, or you may not see it.", number=number[:40]))
    try:
        item = services.get_visible(user, number)
    except NotFound as exc:
        return Result(number, "not_found", exc.message)
    data = {"version": item.version}
    if ACTIONS[action].input("comment") is not None:
        data["comment"] = comment
    try:
        actions.perform(user, item, action, data)
    except Forbidden as exc:
        return Result(number, "forbidden", exc.message, item.title)
    except Conflict as exc:
        return Result(number, _conflict(action, item), exc.message, item.title)
    except Invalid as exc:
        message = "；".join(str(m) for m in exc.fields.values()) if exc.fields else exc.message
        return Result(number, "invalid", message, item.title)
    except PortalError as exc:
        return Result(number, "invalid", exc.message, item.title)
    return Result(number, "done", "", item.title)


def _conflict(action, item):
    """Why the workflow said 409: the state, the urge gap, or a change by someone else (read again)."""
    item = type(item).get_by_id(item.id)
    if item.state not in ACTIONS[action].from_states:
        return "wrong_state"
    if action == "urge" and item.last_urged_at is not None \
            and utcnow() - item.last_urged_at < datetime.timedelta(hours=_gap_hours()):
        return "urged_recently"
    return "conflict"


def _gap_hours():
    return current_app.config["PORTAL"]["reminders"]["min_urge_gap_hours"]
