"""The petitions' panels of the home board (hooks.board_panels): what waits for a handler's answer and for a
supervisor's assignment or closing, each row with its action right there (docs/front-line.md)."""

import peewee

from ..auth.models import Department
from ..items.pickers import department_options
from ..kernel.paging import Total, capped_count
from .labels import CATEGORY_LABELS
from .models import Petition
from .queries import shown_text, visible_petitions

ROWS = 5
COUNT_CAP = 100


def _panel(user, query, action, more, today, **extra):
    """{"count", "rows", "more"} of ``query``'s petitions, soonest reply due first; each row offers ``action``."""
    query = query.order_by(Petition.reply_due, Petition.id)
    rows = list(query.select(Petition, Department)
                .join_from(Petition, Department, peewee.JOIN.LEFT_OUTER, on=Petition.department == Department.id,
                           attr="department").limit(ROWS))
    count = Total(len(rows)) if len(rows) < ROWS else capped_count(query, COUNT_CAP)
    return {"count": int(count), "capped": count.capped, "more": more if count else None,
            "rows": {"petitions": [{"number": p.number, "version": p.version, "category": CATEGORY_LABELS[p.category],
                                    "area": shown_text(user, p.area), "department": p.department.name if p.department_id else "",
                                    "reply_due": p.reply_due, "overdue": p.reply_due < today} for p in rows],
                     "action": action, **extra} if rows else None}


def to_answer(user, today):
    """A handler's: the petitions assigned to their department, waiting for its answer."""
    query = visible_petitions(user).where(Petition.state == "assigned")
    if user.department_id is None:
        query = query.where(peewee.SQL("1 = 0"))
    else:  # (a handler who also supervises sees every petition: the panel stays their department's)
        query = query.where(Petition.department == user.department_id)
    return _panel(user, query, "answer", {"state": "assigned"}, today)


def to_assign(user, today):
    """A supervisor's: the petitions registered and not yet given to a department."""
    return _panel(user, visible_petitions(user).where(Petition.state == "new"), "assign", {"state": "new"}, today,
                  departments=department_options())


def to_close(user, today):
    """A supervisor's: the petitions answered, waiting to be closed with the resident's satisfaction."""
    return _panel(user, visible_petitions(user).where(Petition.state == "answered"), "close", {"state": "answered"}, today)
