"""Making the leaders' weekly digests and reading them back.

A digest covers one ISO week (Monday to Sunday, ``app.timezone``) for one
leader: their items that changed, their red (and overdue) items, decisions
waiting for them, their items closed — plus the sections other features
register (``register_section``: residents' petitions and hot issues belong
there once that feature exists). Its row and its outbox row (in-app and
e-mail) are written in one transaction; the unique (leader, week) key makes
a second maker — another worker, a retry, a restart, the command — write
nothing, so a leader never gets two digests for one week.
"""

import datetime
import logging
import re
import zoneinfo

from flask import current_app
from flask_babel import force_locale, gettext as _

from ..auth.models import User, UserRole
from ..calendar import local_today
from ..errors import Forbidden, Invalid, NotFound
from ..items import queries
from ..items.models import Item, ItemEvent
from ..items.transaction import write_transaction
from ..notify.models import Outbox
from .models import Digest

log = logging.getLogger(__name__)

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ROWS = 20  # items listed per section; the total is always given
KIND = "digest"

# Sections beyond the four of the items, registered by other features:
# key -> (label, function(leader, start, end, today) -> {"total": int, "rows": [dict]} or None).
EXTRA_SECTIONS = {}


def register_section(key, label, build):
    """Add a section to every digest made from now on (e.g. ``petitions``, ``hot_issues`` from the petitions
    feature). ``build(leader, start, end, today)`` returns {"total", "rows": [{"number", "title", …}]} or None
    to leave the section out."""
    EXTRA_SECTIONS[key] = (label, build)


# --- weeks ---------------------------------------------------------------------

def parse_week(text):
    """The Monday of ISO week ``YYYY-Www``; Invalid for anything else."""
    match = WEEK.match((text or "").strip())
    try:
        if not match:
            raise ValueError
        return datetime.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        message = _("Give a week like 2026-W47.")
        raise Invalid(message, fields={"week": message}) from None


def week_key(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(today=None):
    """The key of the last complete week before ``today`` (the one a Monday digest reports on)."""
    return week_key((today or local_today()) - datetime.timedelta(days=7))


def _utc_bounds(start, end):
    """The UTC datetimes (naive, as stored) of local midnight at ``start`` and after ``end``."""
    zone = zoneinfo.ZoneInfo(current_app.config["PORTAL"]["app"]["timezone"])

    def utc(day):
        local = datetime.datetime.combine(day, datetime.time(0), zone)
        return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return utc(start), utc(end + datetime.timedelta(days=1))


# --- what a digest says ----------------------------------------------------------

def _rows(query, today):
    rows = []
    for item in queries.with_people(query.limit(ROWS)):
        rows.append({"number": item.number, "title": item.title, "state": item.state,
                     "deadline": item.deadline.isoformat(), "department": item.lead_department.name,
                     "overdue": item.state in ("dispatched", "in_progress", "returned", "closure_requested",
                                               "pending_approval") and item.deadline < today})
    return rows


def _section(query, today):
    return {"total": queries.count(query), "rows": _rows(query, today)}


def sections_for(leader, start, end, today=None):
    """The sections of ``leader``'s digest for the days ``start``..``end`` (SQL per section, not per item)."""
    today = today or local_today()
    since, until = _utc_bounds(start, end)
    mine = Item.select().where(Item.leader == leader.id)
    changed_ids = ItemEvent.select(ItemEvent.item).where(ItemEvent.created_at >= since, ItemEvent.created_at < until)
    decisions = Item.select().where(Item.id.in_(queries.awaiting_my_approval(leader).select(Item.id))
                                    | Item.id.in_(queries.extensions_to_decide(leader).select(Item.id)))
    sections = {
        "changed": _section(mine.where(Item.id.in_(changed_ids)).order_by(Item.deadline, Item.id), today),
        "red": _section(queries.with_light(mine, "red", today).order_by(Item.deadline, Item.id), today),
        "decisions": _section(decisions.order_by(Item.deadline, Item.id), today),
        "closed": _section(mine.where(Item.state == "closed", Item.closed_at >= since, Item.closed_at < until)
                           .order_by(Item.closed_at, Item.id), today),
    }
    for key, (_label, build) in EXTRA_SECTIONS.items():
        section = build(leader, start, end, today)
        if section is not None:
            sections[key] = section
    return sections


def summary(digest):
    """One line on the digest, in the portal's language: the week and the count of each section."""
    with force_locale(current_app.config["PORTAL"]["app"]["locale"]):
        counts = {key: digest.sections.get(key, {}).get("total", 0) for key in ("changed", "red", "decisions",
                                                                                 "closed")}
        return _("Week %(week)s (%(start)s to %(end)s): %(changed)s items changed, %(red)s red or overdue, "
                 "%(decisions)s decisions waiting for you, %(closed)s closed.", week=digest.week,
                 start=digest.period_start.isoformat(), end=digest.period_end.isoformat(), **counts)


def leaders():
    return list(User.select().join(UserRole).where(UserRole.role == "leader", User.active == True)  # noqa: E712
                .distinct().order_by(User.id))


def make(week=None, today=None):
    """Make the digest of ``week`` (default: the last complete week; a week not over yet is refused) for every
    active leader who has none yet, each with its notification, in one transaction per leader. Returns how many
    were new (0 when run again)."""
    today = today or local_today()
    week = week or last_week(today)
    start = parse_week(week)
    end = start + datetime.timedelta(days=6)
    if end >= today:
        # Made now, it would stand for the whole week and the scheduled one would be skipped.
        message = _("The week %(week)s has not ended yet.", week=week)
        raise Invalid(message, fields={"week": message})
    made = 0
    for leader in leaders():
        if Digest.select().where(Digest.leader == leader.id, Digest.week == week).exists():
            continue
        sections = sections_for(leader, start, end, today)
        with write_transaction():
            new = (Digest.insert(leader=leader.id, week=week, period_start=start, period_end=end, sections=sections)
                   .on_conflict_ignore().as_rowcount().execute())
            if new != 1:
                continue  # another maker was first: theirs stands, and so does its notification
            digest = Digest.get(Digest.leader == leader.id, Digest.week == week)
            Outbox.insert(kind=KIND, recipient=leader.id, data={"digest": digest.id, "week": week,
                                                                  "text": summary(digest)},
                          dedupe_key=f"{KIND}:{leader.id}:{week}").on_conflict_ignore().execute()
        made += 1
    log.info("digests for %s: %d new", week, made)
    return made


# --- reading them back -------------------------------------------------------------

def may_list(user):
    return user.has_role("leader", "supervisor")


def visible_digests(user):
    """The digests ``user`` may read, newest week first: a leader their own, a supervisor everyone's."""
    if not may_list(user):
        raise Forbidden(_("Only leaders and the supervision office read the weekly digests."))
    query = Digest.select(Digest, User).join(User).order_by(Digest.week.desc(), User.display_name)
    if user.has_role("supervisor"):
        return query
    return query.where(Digest.leader == user.id)


def get_visible(user, digest_id):
    """One digest ``user`` may read; NotFound otherwise (another leader's, or anyone without the role)."""
    digest = None
    if may_list(user) and 0 < digest_id < 2**31:
        digest = visible_digests(user).where(Digest.id == digest_id).first()
    if digest is None:
        raise NotFound(_("No such digest, or you may not see it."))
    return digest
