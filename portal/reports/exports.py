"""The item list and the statistics as XLSX (DESIGN §5): what the user sees, typed and streamed."""

import datetime
import zoneinfo

import peewee
from flask import current_app
from flask_babel import gettext as _

from ..auth.models import Department
from ..calendar import local_today
from ..db import is_postgres
from ..items.labels import LEVEL_LABELS, LIGHT_LABELS, SOURCE_LABELS, STATE_LABELS
from ..items.models import Item, ItemCoDepartment
from ..items.queries import SORTS, filter_items, light_of, with_people
from ..items.visibility import visible_items
from ..stats.labels import FIGURE_DEFINITIONS, FIGURE_LABELS, SERIES_LABELS
from . import xlsx
from .xlsx import Column

# Items fetched from the database per round trip while streaming.
CHUNK = 2000


def _local(moment, zone):
    """A stored naive UTC timestamp as a naive local one (Excel has no time zones)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None)


def _co_department_names():
    """SQL: the item's co-departments' names joined by 、 (one correlated subquery, no query per row)."""
    co, dept = ItemCoDepartment.alias(), Department.alias()
    joined = peewee.fn.string_agg(dept.name, "、") if is_postgres() else peewee.fn.group_concat(dept.name, "、")
    return (co.select(joined).join(dept, on=(co.department == dept.id))
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
    """The rows of the items ``user`` may see matching the /items ``filters``, streamed from the database."""
    today = local_today()
    zone = zoneinfo.ZoneInfo(current_app.config["PORTAL"]["app"]["timezone"])
    query = filter_items(visible_items(user), filters, today)
    order = SORTS.get(filters.get("sort") or "deadline", SORTS["deadline"])
    query = with_people(query).select_extend(_co_department_names()).order_by(*order)
    # Chunks in the list's own order: what is held in memory at once is one chunk, whatever the total.
    offset = 0
    while True:
        chunk = list(query.limit(CHUNK).offset(offset).objects())
        for item in chunk:
            light = light_of(item, today)
            yield [item.number, item.title, SOURCE_LABELS.get(item.source_type, item.source_type),
                   LEVEL_LABELS.get(item.level, item.level), item.lead_department.name, item.co_names or "",
                   item.leader.display_name if item.leader_id else "",
                   item.supervisor.display_name if item.supervisor_id else "",
                   item.deadline, STATE_LABELS.get(item.state, item.state),
                   LIGHT_LABELS[light] if light else "", item.progress / 100,
                   _local(item.dispatched_at, zone), _local(item.closed_at, zone), item.extension_count,
                   item.score]
        if len(chunk) < CHUNK:
            break
        offset += CHUNK


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


def stats_workbook(result):
    """The XLSX file of a period's statistics: figures by department, monthly trends, definitions."""
    period = result["period"]
    workbook = xlsx.new_workbook()
    columns = [Column(_("Department"), 18)] + [Column(FIGURE_LABELS[name], width, kind)
                                              for name, width, kind in STAT_FIGURES]
    awards = {}
    if result["best"]:
        awards[result["best"]["code"]] = _("Best-horse award")
    if result["worst"]:
        awards[result["worst"]["code"]] = _("Snail award")
    columns.append(Column(_("Award"), 10))
    rows = ([row["name"]] + [row[name] for name, _w, _k in STAT_FIGURES] + [awards.get(row["code"], "")]
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
                     [[title, ""]] + [[FIGURE_LABELS[name], str(text)] for name, text in FIGURE_DEFINITIONS.items()])
    return xlsx.save(workbook)
