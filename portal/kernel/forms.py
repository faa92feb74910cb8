"""Reading and checking the input of forms, the API and actions: one message per bad field.

``Fields(data)`` reads one field at a time (``text``, ``choice``, ``integer``, ``date``, ``event``…),
collecting one message per bad field; ``done()`` raises Invalid (422) with all of them. Every text goes
through ``text.clean()``. Features that read more kinds subclass it (auth.forms: departments, people).
"""

import datetime
import re

from flask_babel import gettext as _

from .clock import HORIZON_YEARS, latest_allowed_date
from .errors import Conflict, Invalid
from .text import BadText, clean

# Versions count changes of one row: a database integer holds them; larger numbers are no version.
MAX_VERSION = 2**31 - 1
MAX_EVENT_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")


def record_id(raw):
    """A row's id from a form or query field, for ``request.form.get(name, type=record_id)``: a number
    beyond any database integer (or below 1) is no id (ValueError, so werkzeug answers the default)."""
    number = int(raw)
    if not 1 <= number <= MAX_EVENT_ID:
        raise ValueError(raw)
    return number


class Fields:
    """Collects per-field errors; ``done()`` raises Invalid when any field is wrong."""

    def __init__(self, data):
        self.data = data or {}
        self.errors = {}

    def error(self, field, message):
        self.errors.setdefault(field, message)

    def missing(self, field, required, message=None):
        """True when ``field`` was not given (absent or empty); then, when ``required``, its error says so."""
        if self.data.get(field) not in (None, ""):
            return False
        if required:
            self.error(field, message or _("This field is required."))
        return True

    def present(self, field):
        value = self.data.get(field)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def text(self, field, required=False, max_length=200, default="", multiline=False):
        """Text as text.clean() leaves it (NFC, no zero-width characters, stripped); refused when it holds
        control characters (line breaks only where ``multiline``) or direction overrides."""
        value = self.data.get(field)
        if value is not None and not isinstance(value, str):
            self.error(field, _("Must be text."))
            return default
        try:
            value = clean(value or "", multiline=multiline)
        except BadText as exc:
            self.error(field, str(exc))
            return default
        if not value:
            if required:
                self.error(field, _("This field is required."))
            return default
        if len(value) > max_length:
            self.error(field, _("At most %(n)s characters.", n=max_length))
        return value

    def choice(self, field, choices, required=True, default=None):
        value = self.data.get(field)
        if self.missing(field, required, _("Choose one of: %(choices)s.", choices=", ".join(choices))):
            return default
        if value not in choices:
            self.error(field, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
            return default
        return value

    def integer(self, field, low, high, required=True, default=None):
        value = self.data.get(field)
        if self.missing(field, required):
            return default
        try:
            # ASCII digits only: int() would also read "٤٠" (Arabic-Indic digits), which nobody types here.
            if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value):
                raise ValueError
            number = int(value)
            if isinstance(value, float) and number != value or isinstance(value, bool):
                raise ValueError
        except (TypeError, ValueError, OverflowError):  # OverflowError: 1e999 or Infinity from JSON
            self.error(field, _("Must be a whole number."))
            return default
        if not low <= number <= high:
            self.error(field, _("Must be between %(low)s and %(high)s.", low=low, high=high))
            return default
        return number

    def date(self, field, required=True, default=None):
        value = self.data.get(field)
        if self.missing(field, required):
            return default
        try:
            day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value).strip())
            day = day.date() if isinstance(day, datetime.datetime) else day
        except ValueError:
            self.error(field, _("Must be a date like 2026-12-31."))
            return default
        latest = latest_allowed_date()
        if day > latest:
            self.error(field, _("Must be on or before %(date)s (at most %(years)s years ahead).",
                                date=latest, years=HORIZON_YEARS))
            return default
        return day

    def version(self):
        if self.data.get("version") in (None, ""):
            self.error("version", _("The version is required (reload the page)."))
            return None
        return self.integer("version", 0, MAX_VERSION)

    def event(self, field, choices, required=True, answered=()):
        """The id of one of ``choices`` (event ids), given as a whole number; Conflict (409) for one of
        ``answered``: someone answered it in the meantime."""
        if self.missing(field, required, _("Choose one.")):
            return None
        number = self.integer(field, 1, MAX_EVENT_ID, required=required)
        if number is not None and number in answered:
            raise Conflict(_("This was answered in the meantime. Reload the item."))
        if number is not None and number not in choices:
            self.error(field, _("Choose one of those offered: this one is not waiting for an answer."))
            return None
        return number

    def action(self, action, events=None):
        """The checked values of ``action``'s inputs (a workflow.Action), files aside, by name.

        Inputs are read in table order, so a decision is known before the comment that it may make
        required. Each kind is read by the method of its name (``department``: a subclass's); an
        ``event`` input by ``event()``, among what ``events(spec)`` gives: (the ids waiting, the ids
        answered already).
        """
        values = {}
        for spec in action.inputs:
            required = spec.required_when(values.get("decision"))
            if spec.kind == "file":
                continue
            if spec.kind == "text":
                values[spec.name] = self.text(spec.name, required=required, max_length=spec.max_length,
                                              multiline=True)
            elif spec.kind == "choice":
                values[spec.name] = self.choice(spec.name, tuple(spec.choices), required=required)
            elif spec.kind == "integer":
                values[spec.name] = self.integer(spec.name, spec.low, spec.high, required=required)
            elif spec.kind == "event":
                choices, answered = events(spec) if events is not None else (set(), set())
                values[spec.name] = self.event(spec.name, choices, required=required, answered=answered)
            else:  # date, department
                values[spec.name] = getattr(self, spec.kind)(spec.name, required=required)
        return values

    def done(self):
        if self.errors:
            raise Invalid(_("Some of the input is not valid."), fields=self.errors)
