"""The instruction feed (灵通信息, docs/front-line.md): instructions, acknowledgements, urges, approvals, returns and
closures on the items a user may see, newest first, composed in SQL; unread after the user's cursor."""

import peewee
from flask_babel import lazy_gettext as _l

from ..auth.models import Department, User
from ..items.models import Item, ItemCoDepartment, ItemEvent
from ..items.visibility import sees_all, visible_ids
from ..kernel import changes
from ..kernel.db import database, utcnow
from .models import FeedCursor

KIND_LABELS = {
    "instruction": _l("Leaders' instructions"),
    "acknowledgement": _l("Acknowledgements"),
    "urge": _l("Urges"),
    "approval": _l("Approvals"),
    "return": _l("Items returned"),
    "closure": _l("Closures"),
}
COUNT_CAP = 99


def kind_condition(kind):
    """SQL on ItemEvent selecting the events of feed ``kind``."""
    closed = ItemEvent.to_state == "closed"
    return {
        "instruction": ItemEvent.action == "instruct",
        "acknowledgement": ItemEvent.action == "acknowledge",
        "urge": ItemEvent.action == "urge",
        "approval": ItemEvent.action.in_(["approve", "decide_extension"]) & ~closed,
        "return": ItemEvent.action == "return",
        "closure": (ItemEvent.action == "approve") & closed,
    }[kind]


def kind_of(event):
    """The feed kind of ``event`` (the same rule as kind_condition, in Python)."""
    if event.action == "approve" and event.to_state == "closed":
        return "closure"
    return {"instruct": "instruction", "acknowledge": "acknowledgement", "urge": "urge", "approve": "approval",
            "decide_extension": "approval", "return": "return"}.get(event.action)


FEED_ACTIONS = ("instruct", "acknowledge", "urge", "approve", "decide_extension", "return")


def _any_kind(kinds):
    if set(kinds) == set(KIND_LABELS):
        # Every kind is every event of these actions: one IN, which the (action, id) index answers.
        return ItemEvent.action.in_(FEED_ACTIONS)
    condition = kind_condition(kinds[0])
    for kind in kinds[1:]:
        condition |= kind_condition(kind)
    return condition


def feed_events(user, kinds=(), department=None):
    """The feed events ``user`` may see (of ``kinds``, on items of ``department``: lead or co), newest first."""
    kinds = [k for k in kinds if k in KIND_LABELS] or list(KIND_LABELS)
    if sees_all(user) and not department:
        # Every item: no filter at all (an IN over every item's id costs a scan of them per count).
        return ItemEvent.select().where(_any_kind(kinds)).order_by(ItemEvent.id.desc())
    items = visible_ids(user)
    if department and "\x00" in department:
        items = items.where(peewee.SQL("1 = 0"))  # no code holds NUL (and PostgreSQL cannot compare it)
    elif department:
        dept = Department.select(Department.id).where(Department.code == department)
        co = ItemCoDepartment.select(ItemCoDepartment.item).where(ItemCoDepartment.department.in_(dept))
        items = items.where(Item.lead_department.in_(dept) | Item.id.in_(co))
    return ItemEvent.select().where(ItemEvent.item.in_(items), _any_kind(kinds)).order_by(ItemEvent.id.desc())


def page_of(user, kinds=(), department=None, before=None, per_page=30):
    """One page of the feed (events older than ``before`` when given) with item and actor; and whether more follow."""
    query = feed_events(user, kinds, department)
    if before:
        query = query.where(ItemEvent.id < before)
    actor = User.alias()
    rows = list(query.select(ItemEvent, Item, actor)
                .join_from(ItemEvent, Item, on=(ItemEvent.item == Item.id), attr="item")
                .join_from(ItemEvent, actor, peewee.JOIN.LEFT_OUTER, on=(ItemEvent.actor == actor.id), attr="actor")
                .limit(per_page + 1))
    return rows[:per_page], len(rows) > per_page


def last_seen(user):
    return FeedCursor.select(FeedCursor.last_seen).where(FeedCursor.user == user.id).scalar() or 0


def unread_count(user):
    """Feed events after ``user``'s cursor, not their own, at most COUNT_CAP (a badge says "99" at most);
    cached until an item changes or the cursor moves (changes.py)."""
    key = ("feed-unread", *changes.viewer(user), changes.current(),
           changes.current(changes.user_counter(changes.FEED, user.id)))
    return changes.memo(key, lambda: _count_unread(user))


def _count_unread(user):
    seen = last_seen(user)
    query = feed_events(user).where((ItemEvent.actor != user.id) | ItemEvent.actor.is_null())
    if seen:  # (without a cursor, no id range: it would lead the planner to scan every event by id)
        query = query.where(ItemEvent.id > seen)
    # At most COUNT_CAP rows are read: count() would put the LIMIT outside its subquery and count them all.
    return len(list(query.select(ItemEvent.id).order_by().limit(COUNT_CAP).tuples()))


def mark_seen(user, upto=None):
    """Move ``user``'s cursor to ``upto`` (at most, and by default, the newest feed event they may see);
    never backwards."""
    newest = feed_events(user).select(peewee.fn.MAX(ItemEvent.id)).order_by().scalar() or 0
    upto = newest if upto is None else min(upto, newest)
    with database.atomic():
        moved = FeedCursor.insert(user=user.id, last_seen=upto, updated_at=utcnow()).on_conflict(
            conflict_target=[FeedCursor.user],
            update={FeedCursor.last_seen: upto, FeedCursor.updated_at: utcnow()},
            where=(FeedCursor.last_seen < upto)).as_rowcount().execute()
        if moved:
            changes.bump(changes.user_counter(changes.FEED, user.id))
    return upto
