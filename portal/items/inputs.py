"""Reading and checking the input of item forms and actions: one message per bad field."""

import datetime
import re

from flask_babel import gettext as _

from ..auth.models import Department, User, UserRole
from ..calendar import HORIZON_YEARS, latest_allowed_date
from ..kernel.errors import Conflict, Invalid
from ..kernel.text import BadText, clean

# Versions count changes of one item: a database integer holds them; larger numbers are no version.
MAX_VERSION = 2**31 - 1
MAX_EVENT_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")


class Fields:
    """Collects per-field errors; ``done()`` raises Invalid when any field is wrong."""

    def __init__(self, data):
        self.data = data or {}
        self.errors = {}

    def error(self, field, message):
        self.errors.setdefault(field, message)

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
        if value in (None, ""):
            if required:
                self.error(field, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
            return default
        if value not in choices:
            self.error(field, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
            return default
        return value

    def integer(self, field, low, high, required=True, default=None):
        value = self.data.get(field)
        if value in (None, ""):
            if required:
                self.error(field, _("This field is required."))
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
        if value in (None, ""):
            if required:
                self.error(field, _("This field is required."))
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

    def department(self, field, required=True):
        code = self.data.get(field)
        if code in (None, ""):
            if required:
                self.error(field, _("Choose a department."))
            return None
        # No code holds NUL, and PostgreSQL cannot even compare text with one: refused without asking.
        department = None if "\x00" in str(code) else Department.get_or_none(
            Department.code == str(code), Department.active == True)  # noqa: E712
        if department is None:
            self.error(field, _("No department with code %(code)s.", code=code))
        return department

    def departments(self, field):
        codes = self.data.get(field) or []
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(",") if c.strip()]
        if not isinstance(codes, list):
            self.error(field, _("Must be a list of department codes."))
            return []
        codes = list(dict.fromkeys(str(c) for c in codes))
        found = {d.code: d for d in Department.select().where(Department.code.in_(codes),
                                                                Department.active == True)}  # noqa: E712
        unknown = [c for c in codes if c not in found]
        if unknown:
            self.error(field, _("No department with code %(code)s.", code=", ".join(unknown)))
        return [found[c] for c in codes if c in found]

    def person(self, field, role, required=False):
        username = self.data.get(field)
        if username in (None, ""):
            if required:
                self.error(field, _("This field is required."))
            return None
        user = (User.select().join(UserRole)
                .where(User.username == str(username), User.active == True, UserRole.role == role)  # noqa: E712
                .first())
        if user is None:
            self.error(field, _("No active user %(name)s with this role.", name=username))
        return user

    def version(self):
        if self.data.get("version") in (None, ""):
            self.error("version", _("The item's version is required (reload the item)."))
            return None
        return self.integer("version", 0, MAX_VERSION)

    def event(self, field, choices, required=True, answered=()):
        """The id of one of ``choices`` (event ids), given as a whole number; Conflict (409) for one of
        ``answered``: someone answered it in the meantime."""
        value = self.data.get(field)
        if value in (None, ""):
            if required:
                self.error(field, _("Choose one."))
            return None
        number = self.integer(field, 1, MAX_EVENT_ID, required=required)
        if number is not None and number in answered:
            raise Conflict(_("This was answered in the meantime. Reload the item."))
        if number is not None and number not in choices:
            self.error(field, _("Choose one of those offered: this one is not waiting for an answer."))
            return None
        return number

    def action(self, action, item=None):
        """The checked values of ``action``'s inputs (workflow.TABLE), files aside, by name.

        Inputs are read in table order, so a decision is known before the
        comment that it may make required. An ``event`` input is checked
        against ``item``'s events waiting for this action; a ``department``
        input (a code) gives the active Department.
        """
        values = {}
        for spec in action.inputs:
            required = spec.required_when(values.get("decision"))
            if spec.kind == "text":
                values[spec.name] = self.text(spec.name, required=required, max_length=spec.max_length,
                                              multiline=True)
            elif spec.kind == "choice":
                values[spec.name] = self.choice(spec.name, tuple(spec.choices), required=required)
            elif spec.kind == "integer":
                values[spec.name] = self.integer(spec.name, spec.low, spec.high, required=required)
            elif spec.kind == "date":
                values[spec.name] = self.date(spec.name, required=required)
            elif spec.kind == "department":
                values[spec.name] = self.department(spec.name, required=required)
            elif spec.kind == "event":
                from .workflow import answered_events, open_events

                choices = {e.id for e in open_events(item, action, spec)} if item is not None else set()
                answered = answered_events(item, action, spec) if item is not None else set()
                values[spec.name] = self.event(spec.name, choices, required=required, answered=answered)
        return values

    def done(self):
        if self.errors:
            raise Invalid(_("Some of the input is not valid."), fields=self.errors)
