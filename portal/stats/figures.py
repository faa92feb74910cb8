"""The figures of docs/statistics.md per lead department for a period, aggregated by the database.

A fixed number of queries whatever the number of items: four grouped counts
over narrow index ranges of the items (dispatched, closed, signed for in the
period; overdue at its end), one per kind of event counted in the period, and
two for the monthly trends. Python only combines the per-department rows (a
composite score and a rank per department), never loops over items.
"""

import datetime

from flask import current_app

from ..auth.models import Department
from ..items.models import OPEN_STATES
from . import sql
from .periods import Period, last_months, month_end, utc_offset_minutes

FIGURES = ("received", "closed", "closed_on_time", "on_time_rate", "open_overdue", "avg_days_to_close",
           "avg_score", "returns", "extensions", "late_signatures", "late_feedback", "score", "rank")
# Figures where fewer is better: their part of the score is 1 - count / items (at least 0).
PENALTIES = ("open_overdue", "late_signatures", "late_feedback", "returns", "extensions")


def _settings():
    return current_app.config["PORTAL"]["stats"]


def _in_period(column, p, start, after):
    return f"({column} >= {p(start)} AND {column} < {p(after)})"


def _open_states(p):
    return "(" + ", ".join(p(state) for state in OPEN_STATES) + ")"


def _overdue(p, period, after):
    """Open at the period's end and past deadline; a period not yet over counts the items open now."""
    if period.ends_today_or_later:
        return f"(i.state IN {_open_states(p)} AND i.deadline < {p(period.as_of)})"
    # Open at the end of a past period: dispatched before it ended, not closed nor cancelled by then.
    return (f"(i.dispatched_at < {p(after)} AND i.deadline < {p(period.as_of)} AND ("
            f"i.state IN {_open_states(p)} "
            f"OR (i.state = {p('closed')} AND i.closed_at >= {p(after)}) "
            f"OR (i.state = {p('cancelled')} AND EXISTS (SELECT 1 FROM item_event c WHERE c.item_id = i.id "
            f"AND c.action = {p('cancel')} AND c.created_at >= {p(after)}))))")


def _department_filter(column, department_ids, p):
    if department_ids is None:
        return ""
    if not department_ids:
        return " AND 1 = 0"
    return f" AND {column} IN (" + ", ".join(p(d) for d in department_ids) + ")"


def _grouped(select, where, department_ids, names, p, by_range=True):
    """{department id: {name: value}} of ``SELECT lead_department_id, <select> FROM item i WHERE <where>``.

    ``by_range``: group by an expression, which keeps the planner on the covering index of the
    time range rather than walking a department-ordered index and reading every row; without
    it the department-ordered covering index (item_stats_overdue) is walked without a sort.
    """
    group = "i.lead_department_id + 0" if by_range else "i.lead_department_id"
    query = (f"SELECT {group}, {select} FROM item i WHERE {where}"
             f"{_department_filter('i.lead_department_id', department_ids, p)} GROUP BY {group}")
    return {row[0]: dict(zip(names, row[1:])) for row in sql.rows(query, p)}


def item_figures(period, department_ids=None):
    """{department id: figures from the item table} for ``period`` (four queries).

    Each query reads one narrow range through an index that covers it (migration 5):
    items dispatched, closed or signed for within the period, and items open and
    overdue at its end. ``items`` counts each item once: closed-in-period and
    overdue-at-the-end never overlap (one needs closed_at before the end, the
    other open or closed after it), so only the received ones are left out of each.
    """
    start, after = period.utc_bounds()
    offset = utc_offset_minutes(period.as_of)
    figures = {}

    def merge(rows):
        for department_id, values in rows.items():
            row = figures.setdefault(department_id, {"items": 0})
            extra = values.pop("items", 0) or 0
            row.update(values)
            row["items"] += int(extra)

    p = sql.Params()
    merge(_grouped("COUNT(*), COUNT(*)", _in_period("i.dispatched_at", p, start, after), department_ids,
                   ("received", "items"), p))
    p = sql.Params()
    days = sql.working_days(sql.local_date("i.dispatched_at", offset), sql.local_date("i.closed_at", offset))
    not_received = lambda: f"SUM(CASE WHEN {_in_period('i.dispatched_at', p, start, after)} THEN 0 ELSE 1 END)"  # noqa: E731
    merge(_grouped(f"COUNT(*), SUM(CASE WHEN i.closed_on_time = TRUE THEN 1 ELSE 0 END), AVG({days}), AVG(i.score), "
                   f"{not_received()}",
                   f"i.state = {p('closed')} AND {_in_period('i.closed_at', p, start, after)}", department_ids,
                   ("closed", "closed_on_time", "avg_days_to_close", "avg_score", "items"), p))
    p = sql.Params()
    merge(_grouped("COUNT(*)", f"{_in_period('i.accepted_at', p, start, after)} AND i.accepted_late = TRUE",
                   department_ids, ("late_signatures",), p))
    p = sql.Params()
    merge(_grouped(f"COUNT(*), {not_received()}", _overdue(p, period, after), department_ids,
                   ("open_overdue", "items"), p, by_range=False))
    return figures


def event_counts(period, department_ids=None):
    """{department id: {returns, extensions, late_feedback}} counted within ``period`` (three queries).

    A return counts for the department of the handler who returned the item (the
    item may since have gone to another department); an extension when it was
    approved; late feedback when a progress report came after its due day.
    """
    start, after = period.utc_bounds()
    counts = {}
    queries = {
        "returns": ("SELECT u.department_id, COUNT(*) FROM item_event e JOIN \"user\" u ON u.id = e.actor_id "
                    "WHERE e.action = {action} AND {when}{departments} GROUP BY u.department_id",
                    "return", "e.created_at", "u.department_id"),
        "late_feedback": ("SELECT i.lead_department_id, COUNT(*) FROM item_event e CROSS JOIN item i "
                          "WHERE i.id = e.item_id AND {late} AND {when}{departments} "
                          "GROUP BY i.lead_department_id", None, "e.created_at", "i.lead_department_id"),
        "extensions": ("SELECT i.lead_department_id, COUNT(*) FROM extension_request x "
                       "CROSS JOIN item i WHERE i.id = x.item_id AND x.status = {action} AND {when}{departments} "
                       "GROUP BY i.lead_department_id", "approved", "x.decided_at", "i.lead_department_id"),
    }
    for figure, (template, action, column, department_column) in queries.items():
        p = sql.Params()
        # Placeholders are numbered by position: fill them in the order they appear.
        text = template.format(action=p(action) if action else "", late=sql.LATE_REPORT,
                               when=_in_period(column, p, start, after),
                               departments=_department_filter(department_column, department_ids, p))
        for department_id, number in sql.rows(text, p):
            if department_id is not None:
                counts.setdefault(department_id, {})[figure] = number
    return counts


def composite_score(figures, weights):
    """The composite score 0–100 of one department's figures, or None when it had no items.

    Each weighted part is a share from 0 (worst) to 1 (best): the on-time rate,
    the mean rating mapped from 1–5 onto 0–1, and for each penalty 1 − count ÷
    items (at least 0). A part that does not apply (nothing closed, nothing
    rated) is left out and the other weights count proportionally.
    """
    items = figures["items"]
    if not items:
        return None
    parts = {"on_time_rate": figures["on_time_rate"],
             "avg_score": None if figures["avg_score"] is None else (figures["avg_score"] - 1) / 4}
    for name in PENALTIES:
        parts[name] = max(0.0, 1 - figures[name] / items)
    used = {name: weights.get(name, 0) for name, value in parts.items() if value is not None}
    total = sum(used.values())
    if total <= 0:
        return None
    return round(100 * sum(weight * parts[name] for name, weight in used.items()) / total, 1)


# Why a department is not ranked (``not_ranked``): no items at all, fewer than stats.min_items, or
# nothing closed nor overdue yet (it has finished nothing, so it has earned no score, good or bad).
NOT_RANKED = ("no_items", "few_items", "nothing_finished", "no_score")


def _not_ranked(row, min_items):
    if not row["items"]:
        return "no_items"
    if row["items"] < min_items:
        return "few_items"
    if not row["closed"] and not row["open_overdue"]:
        return "nothing_finished"
    if row["score"] is None:  # no weighted part applies (weights set so)
        return "no_score"
    return None


def rank_departments(rows, min_items):
    """Rank ``rows`` in place and return them ranked first, then the others (docs/statistics.md).

    A department is ranked with at least ``min_items`` items and at least one item
    closed or overdue in the period; the others get ``rank`` None and ``not_ranked``
    (a reason of NOT_RANKED). Equal scores share a rank (``tied``), the next rank
    skipping as many places (1, 1, 3). A department that finished nothing has no score.
    """
    for row in rows:
        if not row["closed"] and not row["open_overdue"]:
            row["score"] = None
        row["not_ranked"] = _not_ranked(row, min_items)
    ranked = sorted((r for r in rows if r["not_ranked"] is None), key=lambda r: -r["score"])
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    shares = {}
    for row in ranked:
        shares[row["rank"]] = shares.get(row["rank"], 0) + 1
    for row in rows:
        row.setdefault("rank", None)
        row["tied"] = row["rank"] is not None and shares[row["rank"]] > 1
    return ranked + [r for r in rows if r["not_ranked"] is not None]


def awards(ranked):
    """The best and the worst of the ranked rows: ({"best": [rows], "worst": [rows]}).

    Every department sharing the best rank shares the 骏马奖, likewise the 蜗牛奖 for the
    lowest ranked score; there is no 蜗牛奖 when every ranked department has the best score.
    """
    if not ranked:
        return {"best": [], "worst": []}
    top, bottom = ranked[0]["score"], ranked[-1]["score"]
    best = [r for r in ranked if r["score"] == top]
    worst = [r for r in ranked if r["score"] == bottom] if bottom < top else []
    return {"best": best, "worst": worst}


def department_stats(period, department_ids=None):
    """The figures of every department in ``department_ids`` (None: all) for ``period``, ranked.

    Returns {"departments": [...], "best": row or None, "worst": row or None,
    "awards": {"best": [rows], "worst": [rows]}}; the departments come ranked first
    (by rank, then department order), then the unranked; a row holds code, name,
    items, every figure of docs/statistics.md, ``tied`` and ``not_ranked``.
    """
    by_items = item_figures(period, department_ids)
    by_events = event_counts(period, department_ids)
    query = Department.select().order_by(Department.sort_order, Department.id)
    if department_ids is not None:
        query = query.where(Department.id.in_(list(department_ids) or [0]))
    settings = _settings()
    weights = settings["weights"]
    rows = []
    for department in query:
        base = by_items.get(department.id, {})
        events = by_events.get(department.id, {})
        if not department.active and not base and not events:
            continue
        row = {"code": department.code, "name": department.name}
        for name in ("received", "closed", "closed_on_time", "open_overdue", "late_signatures", "items"):
            row[name] = int(base.get(name) or 0)
        for name in ("returns", "extensions", "late_feedback"):
            row[name] = int(events.get(name) or 0)
        row["on_time_rate"] = round(row["closed_on_time"] / row["closed"], 4) if row["closed"] else None
        for name in ("avg_days_to_close", "avg_score"):
            value = base.get(name)
            row[name] = None if value is None else round(float(value), 2)
        row["score"] = composite_score(row, weights)
        rows.append(row)
    rows = rank_departments(rows, settings["min_items"])
    won = awards([r for r in rows if r["rank"] is not None])
    return {"departments": rows, "best": (won["best"] or [None])[0], "worst": (won["worst"] or [None])[0],
            "awards": won}


def monthly_trends(end_day, department_ids=None, months=12):
    """Received, closed and closed-on-time items per month for the ``months`` months ending with ``end_day``'s.

    Returns a list of {"month": "YYYY-MM", "received", "closed", "closed_on_time", "on_time_rate"} (two queries).
    """
    keys = last_months(end_day, months)
    first, last = keys[0], keys[-1]
    period = Period(datetime.date(first[0], first[1], 1), month_end(*last))
    start, after = period.utc_bounds()
    offset = utc_offset_minutes(end_day)
    counts = {f"{y:04d}-{m:02d}": {"received": 0, "closed": 0, "closed_on_time": 0} for y, m in keys}
    p = sql.Params()
    month = sql.month_key("i.dispatched_at", offset)
    received = (f"SELECT {month}, COUNT(*) FROM item i WHERE {_in_period('i.dispatched_at', p, start, after)}"
                f"{_department_filter('i.lead_department_id', department_ids, p)} GROUP BY {month}")
    for key, number in sql.rows(received, p):
        if key in counts:
            counts[key]["received"] = number
    p = sql.Params()
    month = sql.month_key("i.closed_at", offset)
    closed = (f"SELECT {month}, COUNT(*), SUM(CASE WHEN i.closed_on_time = TRUE THEN 1 ELSE 0 END) FROM item i "
              f"WHERE i.state = {p('closed')} AND {_in_period('i.closed_at', p, start, after)}"
              f"{_department_filter('i.lead_department_id', department_ids, p)} GROUP BY {month}")
    for key, number, on_time in sql.rows(closed, p):
        if key in counts:
            counts[key].update(closed=number, closed_on_time=int(on_time or 0))
    return [{"month": key, **values,
             "on_time_rate": round(values["closed_on_time"] / values["closed"], 4) if values["closed"] else None}
            for key, values in counts.items()]


def overdue_items(period, department_ids=None, limit=200):
    """The items counted in ``open_overdue`` for ``period``, most overdue first: (number, title, department, deadline)."""
    start, after = period.utc_bounds()
    p = sql.Params()
    query = ("SELECT i.number, i.title, d.name, i.deadline FROM item i JOIN department d ON d.id = i.lead_department_id"
             f" WHERE i.dispatched_at IS NOT NULL AND {_overdue(p, period, after)}"
             f"{_department_filter('i.lead_department_id', department_ids, p)}"
             f" ORDER BY i.deadline, i.id LIMIT {int(limit)}")
    rows = []
    for number, title, department, deadline in sql.rows(query, p):
        if isinstance(deadline, str):  # SQLite returns the raw text of a raw query
            deadline = datetime.date.fromisoformat(deadline)
        rows.append({"number": number, "title": title, "department": department, "deadline": deadline})
    return rows
