"""The panels of each role's home board: what the role has to do today, as item queries."""

import datetime
from dataclasses import dataclass

from flask_babel import get_locale, lazy_gettext as _l
from peewee import SQL, Select, fn

from ..calendar import loaded_at as calendar_loaded_at
from ..items import followthrough, queries, visibility
from ..items.models import OPEN_STATES, Item, is_open
from ..items.queries import filter_items, first_rows, light_condition
from ..kernel import changes, hooks
from ..kernel.db import database
from ..kernel.paging import Total, capped_count

ROWS = 8
COUNT_CAP = 100


@dataclass(frozen=True)
class Panel:
    key: str
    title: object
    query: object  # (user, today) -> peewee query of Items
    more: object = None  # (user) -> filters for the full list at /items, or None
    quick_action: str = ""  # an action offered on each row (no input needed)
    urgent: bool = True  # its count asks for action (red badge) rather than informs
    # A panel of something other than items: load(user, today) gives its count, rows and link,
    # drawn by rows_template (``query`` is then unused).
    load: object = None
    rows_template: str = ""


def _open_of_department(user, today):
    return filter_items(visibility.visible_items(user), {"state": list(OPEN_STATES)}).order_by(Item.deadline, Item.id)


def _report_this_week(user, today):
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    return (visibility.visible_items(user)
            .where(Item.state == "in_progress", Item.next_feedback_due.is_null(False), Item.next_feedback_due <= week_end)
            .order_by(Item.next_feedback_due, Item.id))


def _my_supervised(user, today):
    return visibility.visible_items(user).where(is_open(), Item.leader == user.id).order_by(Item.deadline, Item.id)


def _yellow(user, today):
    return queries.with_light(visibility.visible_items(user), "yellow", today).order_by(Item.deadline, Item.id)


PANELS = {panel.key: panel for panel in [
    Panel("approval", _l("Waiting for my approval"), lambda u, t: queries.awaiting_my_approval(u),
          lambda u: {"state": "pending_approval"}),
    Panel("extensions", _l("Extension requests to decide"), lambda u, t: queries.extensions_to_decide(u)),
    Panel("red", _l("Red items"), lambda u, t: queries.red_items(u, t), lambda u: {"light": "red"}),
    Panel("supervised", _l("Items I supervise as leader"), _my_supervised, lambda u: {"leader": u.username},
          urgent=False),
    Panel("followed", _l("Items I follow"), lambda u, t: queries.followed(u), urgent=False),
    Panel("review", _l("Closure requests to review"), lambda u, t: queries.awaiting_review(u),
          lambda u: {"state": "closure_requested"}),
    Panel("returned", _l("Returned items"), lambda u, t: queries.returned(u), lambda u: {"state": "returned"}),
    Panel("feedback_overdue", _l("Progress reports overdue"), lambda u, t: queries.feedback_overdue(u, t)),
    Panel("yellow", _l("Yellow items"), _yellow, lambda u: {"light": "yellow"}, urgent=False),
    # Newest first by id (the same order as by creation time) lets the database skip a sort.
    Panel("drafts", _l("Drafts"), lambda u, t: queries.drafts(u).order_by(Item.id.desc()),
          lambda u: {"state": "draft"}, urgent=False),
    Panel("to_accept", _l("Items to sign for"), lambda u, t: queries.to_accept(u),
          lambda u: {"state": "dispatched"}, quick_action="accept"),
    Panel("report_due", _l("Progress to report this week"), _report_this_week),
    Panel("due_soon", _l("Due soon"), lambda u, t: queries.due_soon(u, t)),
    Panel("to_acknowledge", _l("Instructions to acknowledge"),
          lambda u, t: visibility.visible_items(u).where(followthrough.waiting_condition()).order_by(Item.deadline, Item.id)),
    Panel("unacknowledged", _l("Instructions not acknowledged in time"),
          lambda u, t: visibility.visible_items(u).where(followthrough.overdue_condition(t)).order_by(Item.deadline, Item.id)),
    Panel("department", _l("My department's open items"), _open_of_department, lambda u: {}, urgent=False),
]}

ROLE_PANELS = {
    "leader": ["approval", "extensions", "red", "unacknowledged", "supervised", "followed"],
    "supervisor": ["review", "returned", "feedback_overdue", "red", "unacknowledged", "yellow", "drafts", "followed"],
    "handler": ["to_accept", "to_acknowledge", "report_due", "due_soon", "department"],
}


def role_panels(role):
    """The keys of a role's panels in order: the items' own, and those the features added
    (hooks.board_panels), each after the panel it names."""
    keys = list(ROLE_PANELS[role])
    for key, (_title, _load, _rows_template, placement, *_urgent) in hooks.board_panels.items():
        if role in placement:
            after = placement[role]
            keys.insert(keys.index(after) + 1 if after in keys else len(keys), key)
    return keys


def panel_of(key):
    """The panel ``key``: one of the items' own, or one a feature added (not of items: its own load)."""
    if key in PANELS:
        return PANELS[key]
    title, load, rows_template, _placement, *urgent = hooks.board_panels[key]
    return Panel(key, title, None, urgent=bool(urgent and urgent[0]), load=load, rows_template=rows_template)


def panels_for(user):
    """The keys of the panels on ``user``'s board, each once, in the order of their roles."""
    keys = []
    for role in ("leader", "supervisor", "handler"):
        if user.has_role(role):
            keys += [key for key in role_panels(role) if key not in keys]
    return keys


def load(user, key, today):
    """One panel's content, from this process's cache while nothing it shows can have changed.

    The cache key holds everything a panel depends on: the user with their roles and department, the
    panel, the day (lights move with it), the language (a panel may hold translated labels), the
    calendar and the change counter (changes.py), which every
    change of items, follows, delegations or the calendar bumps in its own transaction. So the first
    request after a committed change computes the panel afresh; nothing stale is shown.
    """
    return changes.memo(_key(user, key, today), lambda: compute(user, key, today))


def _key(user, key, today):
    return ("panel", *changes.viewer(user), key, today, str(get_locale()), changes.current(), calendar_loaded_at())


def compute(user, key, today):
    """One panel's content: its count and its first rows (with departments), in at most three queries."""
    panel = panel_of(key)
    if panel.load is not None:
        return {"panel": panel, "capped": False, "lights": {}, **panel.load(user, today)}  # (load may say capped)
    query = panel.query(user, today)
    rows = first_rows(query.limit(ROWS))
    # Counting stops at COUNT_CAP: "100+" says enough, and a board stays fast however many items match.
    count = Total(len(rows)) if len(rows) < ROWS else capped_count(query, COUNT_CAP)
    return {"panel": panel, "count": int(count), "capped": count.capped, "rows": rows,
            "lights": {row.id: queries.light_of(row, today) for row in rows},
            "more": panel.more(user) if panel.more and count else None}


def month_figures(user, today):
    """This month's figures for a leader (registered, closed, on time, open, red), cached like panels."""
    return changes.memo(_key(user, "figures", today), lambda: _count_figures(user, today))


def _count_figures(user, today):
    start = datetime.datetime.combine(today.replace(day=1), datetime.time())
    closed = (Item.state == "closed") & (Item.closed_at >= start)
    conditions = {
        "registered": Item.created_at >= start,
        "closed": closed,
        "on_time": closed & (Item.closed_on_time == True),  # noqa: E712
        "open": is_open(),
        "red": light_condition("red", today),
    }
    # One query of five counts, each its own index range (created_at, state with closed_at, state with
    # deadline): a sum over every visible item read all 100,000 of them (50 ms).
    counts = [visibility.visible_items(user).where(condition).select(fn.COUNT(SQL("*"))).alias(name)
              for name, condition in conditions.items()]
    return Select(columns=counts).bind(database).dicts().get()
