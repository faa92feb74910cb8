"""The petitions' sections of a leader's weekly digest (定期听取汇报): new petitions and hot issues."""

import datetime

from flask_babel import gettext as _

from ..kernel.clock import local_midnight_utc
from .hot import hot_issues
from .labels import CATEGORY_LABELS
from .models import Petition

ROWS = 10


def new_petitions(start, end, today):
    """The petitions received in the week (leaders see them all: the same for each), newest first; None when
    there are none."""
    query = Petition.select().where(Petition.received_at >= local_midnight_utc(start),
                                    Petition.received_at < local_midnight_utc(end + datetime.timedelta(days=1)))
    total = query.count()
    if not total:
        return None
    rows = [{"title": f"{p.number} {CATEGORY_LABELS[p.category]} · {p.area}" + (" · " + _("Repeat") if p.repeat
                                                                                 else "")}
            for p in query.order_by(Petition.received_at.desc(), Petition.id.desc()).limit(ROWS)]
    return {"total": total, "rows": rows}


def hot(start, end, today):
    """The week's categories and busiest areas against the week before (the same for each leader); None when
    both weeks were quiet."""
    figures = hot_issues(start, end)
    if not figures["total"] and not figures["previous_total"]:
        return None
    rows = [{"title": _("%(label)s: %(count)s (previous period %(previous)s)", label=r["label"], count=r["count"],
                        previous=r["previous"])} for r in figures["categories"][:5]]
    rows += [{"title": _("%(label)s: %(count)s (previous period %(previous)s)", label=r["label"], count=r["count"],
                         previous=r["previous"])} for r in figures["areas"][:3] if r["count"]]
    return {"total": figures["total"], "rows": rows}
