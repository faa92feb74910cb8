"""The petition list as CSV (UTF-8 with BOM, so Excel reads the Chinese): the filters of the page, the
phone and phone numbers in the text masked for handlers, cells that a spreadsheet would run defused."""

import csv
import io

from flask_babel import gettext as _

from ..kernel.clock import shown_date, shown_datetime
from .labels import CATEGORY_LABELS, CHANNEL_LABELS, PETITION_STATE_LABELS
from .queries import filter_petitions, require_use, shown_phone, shown_text
from .workflow import SATISFACTION_LABELS

MAX_ROWS = 10000


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def petitions_csv(user, filters, today):
    """The CSV text of the petitions ``user`` may see matching ``filters`` (newest first, at most MAX_ROWS)."""
    require_use(user)
    from peewee import JOIN

    from ..auth.models import Department
    from .models import Petition

    query = (filter_petitions(user, filters, today).select(Petition, Department)
             .join(Department, JOIN.LEFT_OUTER, on=Petition.department == Department.id)
             .order_by(Petition.received_at.desc(), Petition.id.desc()).limit(MAX_ROWS))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Number"), _("Received at"), _("Channel"), _("Category"), _("Area"), _("Resident"), _("Phone"),
                     _("Content"), _("State"), _("Department"), _("Reply due"), _("Reply"),
                     _("Resident's satisfaction"), _("Repeat")])
    for p in query:
        writer.writerow([_cell(v) for v in (
            p.number, shown_date(p.received_at) if p.received_on_day else shown_datetime(p.received_at),
            CHANNEL_LABELS[p.channel], CATEGORY_LABELS[p.category], shown_text(user, p.area),
            shown_text(user, p.resident_name), shown_phone(user, p), shown_text(user, p.content), PETITION_STATE_LABELS[p.state],
            p.department.name if p.department_id else "", p.reply_due, shown_text(user, p.reply),
            SATISFACTION_LABELS[p.satisfaction] if p.satisfaction else "", "✓" if p.repeat else "")])
    return out.getvalue()
