"""The item list and the statistics as XLSX (docs/statistics.md): what the user sees, typed and streamed."""

import datetime
from types import SimpleNamespace

import peewee
from flask_babel import gettext as _

from ..auth.models import Department, User
from ..items.labels import LEVEL_LABELS, LIGHT_LABELS, SOURCE_LABELS, STATE_LABELS
from ..items.models import Item, ItemCoDepartment
from ..items.queries import filter_items, light_of, urgency
from ..items.visibility import visible_items
from ..kernel import clock
from ..kernel.clock import local_today
from ..kernel.db import joined
from ..stats.labels import FIGURE_LABELS, SERIES_LABELS, definitions, not_ranked_reason
from . import xlsx
from .xlsx import Column

# Items fetched from the database per round trip while streaming.
CHUNK = 2000
# The list's sort orders (items.queries.SORTS) as unique keys to continue from: columns, descending.
KEYSET = {
    "urgency": (None, False),  # (urgency(today), deadline, id): computed per export, see _keyset
    "deadline": ((Item.deadline, Item.id), False), "-deadline": ((Item.deadline, Item.id), True),
    "number": ((Item.number,), False), "-number": ((Item.number,), True),
    "created": ((Item.created_at, Item.id), False), "-created": ((Item.created_at, Item.id), True),
}


def _local(moment, zone):
    """A stored naive UTC timestamp as a naive local one (Excel has no time zones)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None)


def _co_department_names():
    """SQL: the item's co-departments' names joined by 、 (one correlated subquery, no query per row)."""
    co, dept = ItemCoDepartment.alias(), Department.alias()
    return (co.select(joined(dept.name, "、")).join(dept, on=(co.department == dept.id))
            .where(co.item == Item.id)).alias("co_names")


def item_columns():
    return [
        Column(_("Number"), 15), Column(_("Title"), 40), Column(_("Source"), 12), Column(_("Level"), 8),
        Column(_("Lead department"), 18), Column(_("Co-departments"), 24), Column(_("Leader"), 10),
        Column(_("Supervisor"), 10), Column(_("Deadline"), 12, "date"), Column(_("State"), 12),
        Column(_("Light"), 14), Column(_("Progress"), 9, "percent"), Column(_("Dispatched at"), 17, "datetime"),
        Column(_("Closed at"), 17, "datetime"), Column(_("Extensions"), 9, "int"), Column(_("Rating"), 8, "int"),
    ]


def item_rows(user, filters):
    """The rows of the items ``user`` may see matching the /items ``filters``, streamed from the database.

    Rows are read as plain tuples in chunks (no model objects): a chunk is all
    that is held in memory, and 10,000 rows take a few seconds.
    """
    today = local_today()
    zone = clock.zone()
    leader, supervisor = User.alias(), User.alias()
    # The labels translated once, not once per row.
    sources, levels, states, lights = ({key: str(label) for key, label in labels.items()}
                                       for labels in (SOURCE_LABELS, LEVEL_LABELS, STATE_LABELS, LIGHT_LABELS))
    sort = filters.get("sort") if filters.get("sort") in KEYSET else "urgency"
    key_columns, descending = KEYSET[sort]
    if key_columns is None:
        key_columns = (urgency(today), Item.deadline, Item.id)
    base = (filter_items(visible_items(user), filters, today)
            .select(Item.number, Item.title, Item.source_type, Item.level, Department.name,
                    _co_department_names(), leader.display_name, supervisor.display_name, Item.deadline,
                    Item.state, Item.progress, Item.dispatched_at, Item.closed_at, Item.extension_count,
                    Item.score, Item.closed_on_time, Item.next_feedback_due, Item.feedback_cycle_days, *key_columns)
            .join_from(Item, Department, on=(Item.lead_department == Department.id))
            .join_from(Item, leader, peewee.JOIN.LEFT_OUTER, on=(Item.leader == leader.id))
            .join_from(Item, supervisor, peewee.JOIN.LEFT_OUTER, on=(Item.supervisor == supervisor.id))
            .order_by(*[c.desc() if descending else c for c in key_columns]).tuples())
    # Chunks in the list's own order, each continuing after the last row of the one before (keyset):
    # one chunk is all that is held in memory, and no chunk re-reads the rows before it.
    last = None
    while True:
        query = base
        if last is not None:
            after = peewee.Tuple(*key_columns) < peewee.Tuple(*last) if descending \
                else peewee.Tuple(*key_columns) > peewee.Tuple(*last)
            query = query.where(after)
        chunk = list(query.limit(CHUNK))
        for row in chunk:
            (number, title, source, level, department, co_names, leader_name, supervisor_name, deadline, state,
             progress, dispatched_at, closed_at, extensions, score, closed_on_time, feedback_due,
             feedback_cycle) = row[:18]
            light = light_of(SimpleNamespace(state=state, deadline=deadline, closed_on_time=closed_on_time,
                                             next_feedback_due=feedback_due, feedback_cycle_days=feedback_cycle,
                                             dispatched_at=dispatched_at), today)
            yield [number, title, sources.get(source, source), levels.get(level, level), department,
                   co_names or "", leader_name or "", supervisor_name or "", deadline,
                   states.get(state, state), lights[light] if light else "", progress / 100,
                   _local(dispatched_at, zone), _local(closed_at, zone), extensions, score]
        if len(chunk) < CHUNK:
            break
        last = chunk[-1][18:]


def items_workbook(user, filters):
    """The XLSX file (an open temporary file) of the filtered item list."""
    workbook = xlsx.new_workbook()
    xlsx.write_sheet(workbook, _("Supervision items"), item_columns(), item_rows(user, filters))
    return xlsx.save(workbook)


STAT_FIGURES = [  # name, width, kind
    ("received", 9, "int"), ("closed", 9, "int"), ("closed_on_time", 10, "int"), ("on_time_rate", 11, "percent"),
    ("open_overdue", 11, "int"), ("avg_days_to_close", 14, "number"), ("avg_score", 10, "number"),
    ("returns", 9, "int"), ("extensions", 9, "int"), ("late_signatures", 10, "int"), ("late_feedback", 10, "int"),
    ("items", 9, "int"), ("score", 10, "number"), ("rank", 7, "int"),
]


def _ranking_note(row):
    """Beside the rank (a number, empty when not ranked): "tied", or why the department is not ranked."""
    if row["rank"] is not None:
        return _("tied") if row["tied"] else ""
    return _("Not ranked: %(reason)s", reason=not_ranked_reason(row))


def stats_workbook(result):
    """The XLSX file of a period's statistics: figures by department, monthly trends, definitions."""
    period = result["period"]
    workbook = xlsx.new_workbook()
    columns = [Column(_("Department"), 18)] + [Column(FIGURE_LABELS[name], width, kind)
                                              for name, width, kind in STAT_FIGURES]
    awards = {}
    for kind, label in (("best", _("Best-horse award")), ("worst", _("Snail award"))):
        for row in result["awards"][kind]:
            awards[row["code"]] = label
    columns += [Column(_("Ranking note"), 26), Column(_("Award"), 10)]
    rows = ([row["name"]] + [row[name] for name, _w, _k in STAT_FIGURES] + [_ranking_note(row),
                                                                             awards.get(row["code"], "")]
            for row in result["departments"])
    title = _("Statistics %(start)s to %(end)s", start=period.start, end=period.end)
    xlsx.write_sheet(workbook, _("By department"), columns, rows)
    trend_columns = [Column(_("Month"), 10)] + [Column(SERIES_LABELS[name], 12, "int")
                                                for name in ("received", "closed", "closed_on_time")]
    trend_columns.append(Column(FIGURE_LABELS["on_time_rate"], 12, "percent"))
    xlsx.write_sheet(workbook, _("Monthly trends"), trend_columns,
                     ([t["month"], t["received"], t["closed"], t["closed_on_time"], t["on_time_rate"]]
                      for t in result["trends"]))
    xlsx.write_sheet(workbook, _("Definitions"), [Column(_("Figure"), 22), Column(_("How it is counted"), 90)],
                     [[title, ""]] + [[FIGURE_LABELS[name], text] for name, text in definitions().items()])
    return xlsx.save(workbook)
