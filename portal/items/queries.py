"""Lists, boards and traffic lights (红黄绿灯), all composed in SQL.

A light is derived from the deadline, the feedback due date and the working-day
calendar: the calendar is consulted once in Python (the yellow boundary date),
then every item is compared in SQL, so a filtered list stays fast at 100,000 items.
"""

import datetime
import functools

import peewee
from flask import current_app

from ..auth.models import Department, User
from ..calendar import add_working_days
from ..kernel.clock import local_today
from ..kernel.db import is_postgres, prepared
from ..kernel.paging import capped_count
from ..search.index import matching
from .models import FINISHED_STATES, OPEN_STATES, ExtensionRequest, Follow, Item, ItemCoDepartment, ItemEvent, is_open
from .visibility import id_among, visible_items
from .workflow import delegating_leaders

LIGHTS = ("red", "yellow", "green", "on_time", "late")
LIST_COUNT_CAP = 1000  # a list counts its matches up to here, then says "1000+"
CAPPED_OFFSET_LIMIT = 10 * LIST_COUNT_CAP  # beyond the cap, pages go on to here (narrow the filters for more)
SORTS = {
    "urgency": None,  # the default: open first, red, yellow, green, then drafts, closed and cancelled last;
    # by deadline within each (urgency(today), computed per request)
    "deadline": (Item.deadline, Item.id), "-deadline": (Item.deadline.desc(), Item.id.desc()),
    "number": (Item.number,), "-number": (Item.number.desc(),),
    "created": (Item.created_at, Item.id), "-created": (Item.created_at.desc(), Item.id.desc()),
}


def _reminders():
    return current_app.config["PORTAL"]["reminders"]


def yellow_boundary(today=None):
    """The last deadline that is yellow today: ``warn_working_days`` working days ahead."""
    today = today or local_today()
    return add_working_days(today, _reminders()["warn_working_days"])


def _days_between(later, earlier):
    """SQL: whole days from ``earlier`` to ``later`` (date expressions or values)."""
    if is_postgres():
        return later - earlier
    return peewee.fn.julianday(later) - peewee.fn.julianday(earlier)


def _feedback_overdue(today):
    return ((Item.state == "in_progress") & Item.next_feedback_due.is_null(False) & (Item.next_feedback_due < today))


def _feedback_red(today):
    """Feedback overdue by more than one cycle: next_feedback_due + cycle < today."""
    if is_postgres():
        limit = Item.next_feedback_due + Item.feedback_cycle_days
    else:
        limit = peewee.fn.date(Item.next_feedback_due, peewee.fn.printf("+%d days", Item.feedback_cycle_days))
    return _feedback_overdue(today) & (limit < today)


def _near(today):
    """The deadline is close: within the warning working days, or (share policy) little time left."""
    if _reminders()["light_policy"] == "share":
        start = peewee.fn.date(Item.dispatched_at) if not is_postgres() else Item.dispatched_at.cast("date")
        left = _days_between(Item.deadline, today)
        total = _days_between(Item.deadline, peewee.fn.COALESCE(start, Item.deadline))
        return left < total * _reminders()["share_threshold"]
    return Item.deadline <= yellow_boundary(today)


def light_condition(light, today=None):
    """The SQL condition selecting items of ``light`` (red, yellow, green, on_time, late).

    Written as disjoint ranges on (state, deadline) so the index narrows every light.
    """
    today = today or local_today()
    open_ = is_open()
    if light == "red":
        # "Open" stands twice: outside, for the open items' index (the first red items by deadline), and in
        # the first branch, for the (state, deadline) index (a count of every red item). (feedback_red holds
        # only in progress, so the outer one changes nothing.)
        return open_ & ((open_ & (Item.deadline < today)) | ((Item.deadline >= today) & _feedback_red(today)))
    not_red = open_ & (Item.deadline >= today) & ~_feedback_red(today)
    if light == "yellow":
        return not_red & (_near(today) | _feedback_overdue(today))
    if light == "green":
        return not_red & ~_near(today) & ~_feedback_overdue(today)
    if light == "on_time":
        return (Item.state == "closed") & (Item.closed_on_time == True)  # noqa: E712
    if light == "late":
        return (Item.state == "closed") & (Item.closed_on_time == False)  # noqa: E712
    raise ValueError(light)


def with_light(query, light, today=None):
    """``query`` narrowed to the items whose light is ``light``."""
    return query.where(light_condition(light, today))


def light_of(item, today=None):
    """The item's light: red/yellow/green when open, on_time/late when closed, None otherwise."""
    today = today or local_today()
    if item.state == "closed":
        return "on_time" if item.closed_on_time else "late"
    if item.state not in OPEN_STATES:
        return None
    feedback_late = item.state == "in_progress" and item.next_feedback_due is not None \
        and item.next_feedback_due < today
    if item.deadline < today or (feedback_late and item.next_feedback_due +
                                 datetime.timedelta(days=item.feedback_cycle_days) < today):
        return "red"
    settings = _reminders()
    if settings["light_policy"] == "share":
        start = item.dispatched_at.date() if item.dispatched_at else item.deadline
        near = (item.deadline - today).days < (item.deadline - start).days * settings["share_threshold"]
    else:
        near = item.deadline <= yellow_boundary(today)
    return "yellow" if near or feedback_late else "green"


def with_people(query):
    """``query`` with the lead department, leader and supervisor fetched in the same query: of each, what
    pages and the API show of them (code and name; username and display name). Every column more costs
    peewee a conversion and an attribute per row: a board's eight panels spent ~1 ms on them.

    All joins are LEFT OUTER (lead_department is never null) so SQLite keeps the
    item as the outer loop and can walk the deadline index for ORDER BY ... LIMIT.
    """
    leader, supervisor = User.alias(), User.alias()
    return (query.select_extend(Department.id, Department.code, Department.name,
                                *(person.id for person in (leader, supervisor)),
                                *(person.username for person in (leader, supervisor)),
                                *(person.display_name for person in (leader, supervisor)))
            .join_from(Item, Department, peewee.JOIN.LEFT_OUTER, on=(Item.lead_department == Department.id),
                       attr="lead_department")
            .join_from(Item, leader, peewee.JOIN.LEFT_OUTER, on=(Item.leader == leader.id), attr="leader")
            .join_from(Item, supervisor, peewee.JOIN.LEFT_OUTER, on=(Item.supervisor == supervisor.id),
                       attr="supervisor"))


def attach_co_departments(items):
    """Give each item ``co_departments`` (a list of Departments) with one query for all of them."""
    by_item = {item.id: item for item in items}
    for item in items:
        item.co_departments = []
        item._co_ids = []
    if not by_item:
        return items
    rows = (ItemCoDepartment.select(ItemCoDepartment, Department).join(Department)
            .where(ItemCoDepartment.item.in_(list(by_item))).order_by(Department.sort_order, Department.id))
    for row in rows:
        by_item[row.item_id].co_departments.append(row.department)
        by_item[row.item_id]._co_ids.append(row.department_id)
    return items


def visible_children(user, item):
    """The children of ``item`` that ``user`` may see, by number order, with their lead department,
    leader, supervisor and co-departments loaded (two queries): what the page and the API show."""
    query = with_people(visible_items(user).where(Item.parent == item.id).order_by(Item.id))
    return attach_co_departments(list(query))


def _as_list(value):
    if value in (None, "", []):
        return []
    return value if isinstance(value, (list, tuple)) else [v for v in str(value).split(",") if v]


# What text search looks in; on PostgreSQL the migration indexes exactly this expression
# (with literal separators: a bound parameter would not match the index).
SEARCH_TEXT = (Item.number.concat(peewee.SQL("' '")).concat(Item.title)
               .concat(peewee.SQL("' '")).concat(Item.content))


def filter_items(query, filters, today=None):
    """``query`` narrowed by the list filters (state, department, light, level, source_type, leader,
    supervisor, deadline_from, deadline_to, q, parent); unknown values select nothing."""
    today = today or local_today()
    if any("\x00" in str(value) for value in filters.values()):
        return query.where(peewee.SQL("1 = 0"))  # no stored text holds NUL (and PostgreSQL cannot compare it)
    if states := _as_list(filters.get("state")):
        query = query.where(is_open() if set(states) == set(OPEN_STATES) else Item.state.in_(states))
    if codes := _as_list(filters.get("department")):
        # The departments' ids first (a small table): both sides of the OR are then index lookups (id_among).
        departments = [d for (d,) in Department.select(Department.id).where(Department.code.in_(codes)).tuples()]
        co = ItemCoDepartment.select(ItemCoDepartment.item).where(ItemCoDepartment.department.in_(departments))
        query = query.where(Item.lead_department.in_(departments) | id_among(co) if departments
                            else peewee.SQL("1 = 0"))
    if lights := [light for light in _as_list(filters.get("light")) if light in LIGHTS]:
        condition = light_condition(lights[0], today)
        for light in lights[1:]:
            condition |= light_condition(light, today)
        query = query.where(condition)
    elif _as_list(filters.get("light")):
        query = query.where(peewee.SQL("1 = 0"))
    if levels := _as_list(filters.get("level")):
        query = query.where(Item.level.in_(levels))
    if sources := _as_list(filters.get("source_type")):
        query = query.where(Item.source_type.in_(sources))
    for role in ("leader", "supervisor"):
        if names := _as_list(filters.get(role)):
            # The people's ids first, like the departments': as a subquery PostgreSQL guessed a leader had two
            # items and sorted all 4,895 of theirs for a page, instead of walking the open items by deadline.
            people = [i for (i,) in User.select(User.id).where(User.username.in_(names)).tuples()]
            query = query.where(getattr(Item, role).in_(people) if people else peewee.SQL("1 = 0"))
    for key, compare in (("deadline_from", Item.deadline.__ge__), ("deadline_to", Item.deadline.__le__)):
        if value := filters.get(key):
            day = value if isinstance(value, datetime.date) else _date_or_none(value)
            query = query.where(compare(day)) if day else query.where(peewee.SQL("1 = 0"))
    if parent := filters.get("parent"):
        parent_item = Item.alias()
        parents = parent_item.select(parent_item.id).where(parent_item.number == parent)
        query = query.where(Item.parent.in_(parents))
    if q := (filters.get("q") or "").strip():
        # The words of q through the search index (jieba words, so 1-2 character Chinese words are found
        # without reading every row). An item's number is indexed with its words, so "DB-2026-0001" finds
        # its item by them; no OR beside them (PostgreSQL would then hash every id of a frequent word).
        words = matching("item", q, Item.id)
        query = query.where(words if words is not None else Item.number == q.upper())
    return query


def _date_or_none(value):
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def search_items(user, filters=None, page=1, per_page=20, today=None):
    """One page of the items ``user`` may see matching ``filters``, and the total (a Total, counted up to
    LIST_COUNT_CAP); constant query count.

    The page is chosen on the items alone (first_rows): sorting 100,000 matches of a text search then
    costs no join per match.
    """
    filters = filters or {}
    query = filter_items(visible_items(user), filters, today)
    total = capped_count(query, LIST_COUNT_CAP)
    order = sort_order(filters.get("sort"), today)
    page, per_page = max(1, int(page or 1)), max(1, min(int(per_page or 20), 200))
    if page > 1 and (page - 1) * per_page >= (CAPPED_OFFSET_LIMIT if total.capped else total):
        return [], total  # past the end (or, past the cap, past what anyone pages through)
    rows = first_rows(query.order_by(*order).paginate(page, per_page))
    return attach_co_departments(rows), total


def urgency(today=None):
    """SQL: an item's rank in the default order: 0 red, 1 yellow, 2 green, 3 draft, 4 closed or cancelled."""
    today = today or local_today()
    return peewee.Case(None, [(light_condition(light, today), rank) for rank, light in enumerate(("red", "yellow",
                                                                                                 "green"))]
                       + [(Item.state.not_in(FINISHED_STATES), 3)], 4)


def sort_order(sort, today=None):
    """The ORDER BY of the list's ``sort`` (one of SORTS; anything else, or none, is the default urgency)."""
    if sort not in SORTS or SORTS[sort] is None:
        return (urgency(today), Item.deadline, Item.id)
    return SORTS[sort]


def first_rows(query):
    """The rows of ``query`` (ordered, limited) with their people: chosen on the items alone, then only they
    are joined (the planners otherwise join every match before sorting: 30 ms for 5,000 open items)."""
    return by_ids([item_id for item_id, in query.select(Item.id).tuples()])


def by_ids(ids):
    """The items of ``ids`` with their people (with_people), in the order of ``ids``; one deleted since is left out.

    The wide query's SQL is composed once per size of the list (db.prepared), which peewee otherwise spends
    ~1 ms on every time: the ids are padded to a power of two from 8 by repeating the last one.
    """
    if not ids:
        return []
    size = max(8, 1 << (len(ids) - 1).bit_length())
    found = {item.id: item for item in prepared(_wide_query(size), *ids, *[ids[-1]] * (size - len(ids)))}
    return [found[item_id] for item_id in ids if item_id in found]


@functools.cache
def _wide_query(size):
    """The builder of the query of ``size`` items by id with their people (one per size, db.prepared's key)."""
    return lambda *ids: with_people(Item.select().where(Item.id.in_(ids)))


def _open(query):
    return query.where(is_open()).order_by(Item.deadline, Item.id)


def _mine_or_unassigned(field, user):
    return (field == user.id) | field.is_null()


def _led_by(user):
    """Items ``user`` decides as leader: their own, those of leaders they stand in for today, unassigned ones."""
    return Item.leader.in_([user.id, *delegating_leaders(user)]) | Item.leader.is_null()


def awaiting_my_approval(user):
    """Items pending a leader's approval whose leader is ``user`` (or whom they stand in for, or nobody)."""
    return (visible_items(user).where(Item.state == "pending_approval", _led_by(user))
            .order_by(Item.deadline, Item.id))


def extensions_to_decide(user):
    """Items with an extension request waiting for ``user`` (their leader or stand-in, or any leader when unset)."""
    pending = ExtensionRequest.select(ExtensionRequest.item).where(ExtensionRequest.status == "pending")
    return (visible_items(user).where(Item.state == "in_progress", Item.id.in_(pending), _led_by(user))
            .order_by(Item.deadline, Item.id))


def awaiting_review(user):
    """Closure requests for ``user`` to review (their supervisor, or any when unset)."""
    return (visible_items(user).where(Item.state == "closure_requested",
                                      _mine_or_unassigned(Item.supervisor, user)).order_by(Item.deadline, Item.id))


def to_accept(user):
    """Dispatched items of the handler's lead department waiting to be signed for."""
    return Item.select().where(Item.state == "dispatched", Item.lead_department == user.department_id) \
        .order_by(Item.accept_due, Item.id)


def due_soon(user, today=None):
    """Visible open items whose deadline falls between today and the yellow boundary."""
    today = today or local_today()
    return _open(visible_items(user).where(Item.deadline.between(today, yellow_boundary(today))))


def feedback_overdue(user, today=None):
    """Visible items in progress whose progress report is overdue."""
    today = today or local_today()
    return visible_items(user).where(_feedback_overdue(today)).order_by(Item.next_feedback_due, Item.id)


def returned(user):
    """Returned items the supervisor ``user`` must rework (theirs, or unassigned)."""
    return (visible_items(user).where(Item.state == "returned", _mine_or_unassigned(Item.supervisor, user))
            .order_by(Item.deadline, Item.id))


def drafts(user):
    """Drafts ``user`` registered or supervises."""
    return (Item.select().where(Item.state == "draft", (Item.created_by == user.id) | (Item.supervisor == user.id))
            .order_by(Item.created_at.desc(), Item.id.desc()))


def red_items(user, today=None):
    """Visible items whose light is red, most overdue first."""
    return with_light(visible_items(user), "red", today).order_by(Item.deadline, Item.id)


def followed(user):
    """Items ``user`` follows that are still open or draft."""
    follows = Follow.select(Follow.item).where(Follow.user == user.id)
    return Item.select().where(Item.id.in_(follows), Item.state.not_in(FINISHED_STATES)) \
        .order_by(Item.deadline, Item.id)


def co_departments(item):
    """The item's co-departments in display order."""
    return list(Department.select().join(ItemCoDepartment, on=ItemCoDepartment.department == Department.id)
                .where(ItemCoDepartment.item == item.id).order_by(Department.sort_order, Department.name))


def events_since(item, seen):
    """The item's events after the event id ``seen`` (what changed while the user looked)."""
    query = ItemEvent.select().where(ItemEvent.item == item.id)
    if seen and str(seen).isdigit():
        query = query.where(ItemEvent.id > int(seen))
    return list(query.order_by(ItemEvent.id))
