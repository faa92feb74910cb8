"""Hot issues (群众热点): petitions counted by category and by area for a period, against the period
before it of the same length — counted in SQL, drawn as SVG bars on the server."""

import datetime

import peewee
from flask_babel import gettext as _

from ..kernel.clock import local_midnight_utc, local_today
from ..kernel.errors import Invalid
from .labels import CATEGORY_LABELS
from .models import Petition

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP_AREAS = 10
BAR_WIDTH = 150  # the longest bar, in SVG units: the chart fits a phone at its natural size


def period(args, today=None):
    """(first day, last day) from ``from``/``to`` (ISO dates; default the last 30 days); 422 when wrong."""
    today = today or local_today()
    errors, days = {}, {}
    for key in ("from", "to"):
        value = (args.get(key) or "").strip()
        if not value:
            continue
        try:
            days[key] = datetime.date.fromisoformat(value)
        except ValueError:
            errors[key] = _("Must be a date like 2026-12-31.")
    end = days.get("to", today)
    start = days.get("from", end - datetime.timedelta(days=DEFAULT_DAYS - 1))
    if not errors and start > end:
        errors["from"] = _("The first day must not be after the last.")
    elif not errors and (end - start).days + 1 > MAX_DAYS:
        errors["to"] = _("A period is at most %(days)s days.", days=MAX_DAYS)
    if errors:
        raise Invalid(_("Some of the input is not valid."), fields=errors)
    return start, end


def _counts(column, start, end):
    rows = (Petition.select(column.alias("key"), peewee.fn.COUNT(Petition.id).alias("n"))
            .where(Petition.received_at >= local_midnight_utc(start),
                   Petition.received_at < local_midnight_utc(end + datetime.timedelta(days=1)))
            .group_by(column).dicts())
    return {row["key"]: row["n"] for row in rows}


def _rows(now, before, labels=None, limit=None):
    keys = sorted(set(now) | set(before), key=lambda k: (-now.get(k, 0), -before.get(k, 0), str(k)))
    keys = [k for k in keys if now.get(k, 0)] + [k for k in keys if not now.get(k, 0)]
    if limit:
        keys = keys[:limit]
    top = max([now.get(k, 0) for k in keys] + [before.get(k, 0) for k in keys] + [1])
    rows = []
    for key in keys:
        count, previous = now.get(key, 0), before.get(key, 0)
        rows.append({"key": key, "label": str(labels[key]) if labels else key, "count": count, "previous": previous,
                     "change": count - previous,
                     "change_percent": round((count - previous) * 100 / previous) if previous else None,
                     "bar": round(count * BAR_WIDTH / top), "previous_bar": round(previous * BAR_WIDTH / top)})
    return rows


def hot_issues(start, end):
    """Counts by category and by area (the TOP_AREAS busiest) for start..end and the period before."""
    length = (end - start).days + 1
    previous_end = start - datetime.timedelta(days=1)
    previous_start = previous_end - datetime.timedelta(days=length - 1)
    categories = _rows(_counts(Petition.category, start, end), _counts(Petition.category, previous_start,
                                                                        previous_end), CATEGORY_LABELS)
    areas = _rows(_counts(Petition.area, start, end), _counts(Petition.area, previous_start, previous_end),
                  limit=TOP_AREAS)
    return {"from": start, "to": end, "previous_from": previous_start, "previous_to": previous_end,
            "total": sum(r["count"] for r in categories), "previous_total": sum(r["previous"] for r in categories),
            "categories": categories, "areas": areas, "bar_width": BAR_WIDTH}


def as_json(hot):
    """The API's view of ``hot_issues()``."""
    def rows(items, key):
        return [{key: r["key"], "label": r["label"], "count": r["count"], "previous": r["previous"],
                 "change": r["change"]} for r in items]
    return {"from": hot["from"].isoformat(), "to": hot["to"].isoformat(),
            "previous_from": hot["previous_from"].isoformat(), "previous_to": hot["previous_to"].isoformat(),
            "total": hot["total"], "previous_total": hot["previous_total"],
            "categories": rows(hot["categories"], "category"), "areas": rows(hot["areas"], "area")}


PANEL_ROWS = 5


def board_panel(user, today):
    """The 群众热点 panel of the leader's board: the last 30 days' busiest categories and areas, with the
    change against the 30 days before; its count is the petitions received in the period."""
    end = today
    start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    hot = hot_issues(start, end)
    rows = {"categories": [r for r in hot["categories"] if r["count"]][:PANEL_ROWS],
            "areas": [r for r in hot["areas"] if r["count"]][:3], "from": start}
    return {"count": hot["total"], "rows": rows if hot["total"] else None, "more": None}
