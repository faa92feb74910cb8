"""Making the leaders' weekly digests and reading them back.

A digest covers one ISO week (Monday to Sunday, ``app.timezone``) for one
leader: their items that changed, their red (and overdue) items, decisions
waiting for them, their items closed — plus the sections other features
add (residents' petitions and hot issues, the instructions' follow-through: they belong
there; see ``hooks.digest_sections``). Its row and its outbox row (in-app and
e-mail) are written in one transaction; the unique (leader, week) key makes
a second maker — another worker, a retry, a restart, the command — write
nothing, so a leader never gets two digests for one week.
"""

import datetime
import logging
import re

import peewee
from flask import current_app
from flask_babel import force_locale, gettext as _
from peewee import SQL, fn

from ..auth.models import User, UserRole
from ..items import queries
from ..items.models import OPEN_STATES, Delegation, ExtensionRequest, Item, ItemEvent
from ..kernel import hooks
from ..kernel.changes import write_transaction
from ..kernel.clock import local_midnight_utc, local_today
from ..kernel.db import database
from ..kernel.errors import Forbidden, Invalid, NotFound
from ..notify import outbox
from .models import Digest

log = logging.getLogger(__name__)

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ROWS = 20  # items listed per section; the total is always given
KIND = "digest"

# How an added section (hooks.digest_sections) is built: for one leader at a time; for all leaders in one
# go; once for everyone.
SCOPES = ("leader", "leaders", "week")


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
    return local_midnight_utc(start), local_midnight_utc(end + datetime.timedelta(days=1))


# --- what a digest says ----------------------------------------------------------

def _per_leader(query, owner, order):
    """{leader id: (total, [item ids])} of ``query``'s items for each ``owner`` (a leader id column): how many,
    and the first ROWS by ``order`` — one query for every leader (a window per leader)."""
    ranked = query.select(owner.alias("owner"), Item.id.alias("item_id"),
                          fn.ROW_NUMBER().over(partition_by=[owner], order_by=order).alias("position"),
                          fn.COUNT(SQL("*")).over(partition_by=[owner]).alias("total")).alias("ranked")
    rows = (peewee.Select([ranked], [ranked.c.owner, ranked.c.item_id, ranked.c.total])
            .where(ranked.c.position <= ROWS).order_by(ranked.c.owner, ranked.c.position).bind(database).tuples())
    found = {}
    for leader_id, item_id, total in rows:
        found.setdefault(leader_id, (total, []))[1].append(item_id)
    return found


def _row(item, today):
    return {"number": item.number, "title": item.title, "state": item.state,
            "deadline": item.deadline.isoformat(), "department": item.lead_department.name,
            "overdue": item.state in OPEN_STATES and item.deadline < today}


def _decisions(leader_ids):
    """Items waiting for a leader's decision (approval, or an extension to grant) and whose they are: the
    leader's own, those of a leader they stand in for today, and those with no leader (every leader's) — the
    rule of ``queries.awaiting_my_approval``/``extensions_to_decide``, for all leaders at once. Leaders see every
    item, so no visibility condition applies."""
    decider = User.alias("decider")
    today = local_today()  # delegations of today, as workflow.delegating_leaders reads them
    stands_in_for = Delegation.select(Delegation.leader).where(Delegation.delegate == decider.id,
                                                               Delegation.starts <= today, Delegation.ends >= today)
    pending = ExtensionRequest.select(ExtensionRequest.item).where(ExtensionRequest.status == "pending")
    query = (Item.select().join(decider, on=((Item.leader == decider.id) | Item.leader.is_null()
                                              | Item.leader.in_(stands_in_for)))
             .where(decider.id.in_(leader_ids),
                    (Item.state == "pending_approval") | ((Item.state == "in_progress") & Item.id.in_(pending))))
    return query, decider.id


def sections_for(leaders, start, end, today=None):
    """{leader id: sections} of the leaders' digests for the days ``start``..``end``: SQL per section for all
    leaders together, not per leader nor per item."""
    today = today or local_today()
    since, until = _utc_bounds(start, end)
    ids = [leader.id for leader in leaders]
    theirs = Item.select().where(Item.leader.in_(ids))
    changed_ids = ItemEvent.select(ItemEvent.item).where(ItemEvent.created_at >= since, ItemEvent.created_at < until)
    decisions, decider = _decisions(ids)
    by_deadline = [Item.deadline, Item.id]
    dispatched_ids = ItemEvent.select(ItemEvent.item).where(ItemEvent.action == "dispatch",
                                                            ItemEvent.created_at >= since, ItemEvent.created_at < until)
    found = {
        "changed": _per_leader(theirs.where(Item.id.in_(changed_ids)), Item.leader, by_deadline),
        "dispatched": _per_leader(theirs.where(Item.id.in_(dispatched_ids)), Item.leader, by_deadline),
        # The red items as a set of their own: the planner then reads them from the (state, deadline) index
        # instead of every item of the leaders.
        "red": _per_leader(theirs.where(Item.id.in_(queries.with_light(Item.select(Item.id), "red", today))),
                           Item.leader, by_deadline),
        "decisions": _per_leader(decisions, decider, by_deadline),
        "closed": _per_leader(theirs.where(Item.state == "closed", Item.closed_at >= since, Item.closed_at < until),
                              Item.leader, [Item.closed_at, Item.id]),
    }
    listed = {item_id for section in found.values() for _total, item_ids in section.values() for item_id in item_ids}
    items = {item.id: item for item in queries.by_ids(list(listed))}
    sections = {leader_id: {key: {"total": section.get(leader_id, (0, []))[0],
                                  "rows": [_row(items[i], today) for i in section.get(leader_id, (0, []))[1]]}
                            for key, section in found.items()} for leader_id in ids}
    for key, (_label, build, scope) in hooks.digest_sections.items():
        if scope not in SCOPES:
            raise ValueError(f"digest section {key}: scope {scope}")
        if scope == "week":
            built = dict.fromkeys(ids, build(start, end, today))
        elif scope == "leaders":
            built = build(leaders, start, end, today)
        else:
            built = {leader.id: build(leader, start, end, today) for leader in leaders}
        for leader_id in ids:
            if built.get(leader_id) is not None:
                sections[leader_id][key] = built[leader_id]
    return sections


# The items' own sections the report's sentences count, in the order they come.
MOVEMENT = ("dispatched", "closed", "changed")
ATTENTION = ("red", "decisions")


def total(sections, key):
    return (sections.get(key) or {}).get("total", 0)


def report(digest):
    """What the week brought, in sentences in the current language (the digest page and its notice start
    with them): what moved, what needs the leader, then one clause per added section that has something.
    Nothing is said of what is zero; a quiet week says so in one sentence."""
    sections = digest.sections or {}
    moved = {key: total(sections, key) for key in MOVEMENT}
    sentences = []
    if any(moved.values()):
        clauses = []
        if moved["dispatched"]:
            clauses.append(_("%(n)s new items dispatched", n=moved["dispatched"]))
        if moved["closed"]:
            clauses.append(_("%(n)s closed", n=moved["closed"]))
        if moved["changed"]:
            clauses.append(_("%(n)s of your items changed in all", n=moved["changed"]))
        sentences.append(_("This week: %(clauses)s.", clauses=_join(clauses)))
    else:
        sentences.append(_("None of your items changed this week."))
    needs = []
    if total(sections, "red"):
        needs.append(_("%(n)s red or overdue", n=total(sections, "red")))
    if total(sections, "decisions"):
        needs.append(_("%(n)s decisions waiting for you", n=total(sections, "decisions")))
    if needs:
        sentences.append(_("Needing you: %(clauses)s.", clauses=_join(needs)))
    added = [_("%(label)s: %(n)s", label=label, n=total(sections, key))
             for key, (label, _build, _scope) in hooks.digest_sections.items() if total(sections, key)]
    if added:
        sentences.append(_("Also: %(clauses)s.", clauses=_join(added)))
    return sentences


def _join(clauses):
    return _(", ").join(str(clause) for clause in clauses)


OWN_SECTIONS = ("changed", "dispatched", "red", "decisions", "closed")


def shown_sections(digest):
    """The sections the digest page lists under the sentences, in the order of the report (the items' own,
    then the added ones): only those with something in them."""
    sections = digest.sections or {}
    order = [*OWN_SECTIONS, *hooks.digest_sections, *sorted(sections)]
    return {key: sections[key] for key in dict.fromkeys(order) if (sections.get(key) or {}).get("total")}


def summary(digest):
    """The digest's notice, in the portal's language: the week, then the report's sentences."""
    with force_locale(current_app.config["PORTAL"]["app"]["locale"]):
        return _("Week %(week)s (%(start)s to %(end)s).", week=digest.week, start=digest.period_start.isoformat(),
                 end=digest.period_end.isoformat()) + " " + " ".join(str(s) for s in report(digest))


def leaders(without_week=None):
    """The active leaders, by id; ``without_week``: only those who have no digest of that week yet."""
    query = (User.select().join(UserRole).where(UserRole.role == "leader", User.active == True)  # noqa: E712
             .distinct().order_by(User.id))
    if without_week is not None:
        query = query.where(~fn.EXISTS(Digest.select(SQL("1")).where(Digest.leader == User.id,
                                                                    Digest.week == without_week)))
    return list(query)


def make(week=None, today=None):
    """Make the digest of ``week`` (default: the last complete week; a week not over yet is refused) for every
    active leader who has none yet, each with its notification, all in one transaction. Returns how many were
    new (0 when run again). Its query count does not grow with the leaders."""
    today = today or local_today()
    week = week or last_week(today)
    start = parse_week(week)
    end = start + datetime.timedelta(days=6)
    if end >= today:
        # Made now, it would stand for the whole week and the scheduled one would be skipped.
        message = _("The week %(week)s has not ended yet.", week=week)
        raise Invalid(message, fields={"week": message})
    waiting = leaders(without_week=week)
    if not waiting:
        log.info("digests for %s: 0 new", week)
        return 0
    sections = sections_for(waiting, start, end, today)
    with write_transaction():
        # Another maker (a worker, a retry, the command) may have written some since: its digests stand, and
        # so do their notifications (the outbox's dedupe key below keeps ours out).
        made = (Digest.insert_many([{"leader": leader.id, "week": week, "period_start": start, "period_end": end,
                                     "sections": sections[leader.id]} for leader in waiting])
                .on_conflict_ignore().as_rowcount().execute())
        written = (Digest.select().where(Digest.week == week, Digest.leader.in_([leader.id for leader in waiting]))
                   .order_by(Digest.leader))
        outbox.write([{"kind": KIND, "recipient": digest.leader_id,
                       "data": {"digest": digest.id, "week": week, "text": summary(digest)},
                       "dedupe_key": f"{KIND}:{digest.leader_id}:{week}"} for digest in written], skip_existing=True)
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
