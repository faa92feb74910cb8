"""Fields that name departments and people, for the forms and actions of every feature above auth."""

from flask_babel import gettext as _

from ..kernel import forms
from .models import Department, User, UserRole


class Fields(forms.Fields):
    """``kernel.forms.Fields`` that also read a department's code and a person's username."""

    def department(self, field, required=True):
        code = self.data.get(field)
        if self.missing(field, required, _("Choose a department.")):
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
        if self.missing(field, required):
            return None
        user = (User.select().join(UserRole)
                .where(User.username == str(username), User.active == True, UserRole.role == role)  # noqa: E712
                .first())
        if user is None:
            self.error(field, _("No active user %(name)s with this role.", name=username))
        return user
