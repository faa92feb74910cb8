"""What users read for each figure: its name and its definition (shown on the page and in exports)."""

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

FIGURE_LABELS = {
    "received": _l("Received"),
    "closed": _l("Items closed"),
    "closed_on_time": _l("Closed on time"),
    "on_time_rate": _l("On-time rate"),
    "open_overdue": _l("Open overdue"),
    "avg_days_to_close": _l("Average working days to close"),
    "avg_score": _l("Average rating"),
    "returns": _l("Returns"),
    "extensions": _l("Extensions"),
    "late_signatures": _l("Late signatures"),
    "late_feedback": _l("Late feedback"),
    "score": _l("Composite score"),
    "rank": _l("Rank"),
    "items": _l("Items counted"),
}

FIGURE_DEFINITIONS = {
    "received": _l("Items of the department dispatched within the period."),
    "closed": _l("Items closed (approved by the leader) within the period."),
    "closed_on_time": _l("Of those, closed on or before their deadline, an approved extension's new deadline "
                         "included."),
    "on_time_rate": _l("Closed on time ÷ closed; empty when nothing was closed."),
    "open_overdue": _l("Items open at the end of the period and past their deadline; for a period not yet over, "
                       "the items open and overdue now."),
    "avg_days_to_close": _l("Mean working days from dispatch to closure of the items closed, by the holiday "
                            "calendar (holidays and worked weekends included)."),
    "avg_score": _l("Mean rating (1–5) of the rated items closed within the period."),
    "returns": _l("Items the department returned within the period."),
    "extensions": _l("Extensions approved within the period."),
    "late_signatures": _l("Items signed for within the period after the signing deadline."),
    "late_feedback": _l("Progress reports made within the period after they were due."),
    "score": _l("0 to 100, higher is better: the on-time rate, the mean rating and, for each count where fewer "
                "is better (overdue, late, returned, extended), the share of items without it, weighed as "
                "follows: %(weights)s."),
    "rank": _l("By composite score, 1 is the best; equal scores share a rank (tied). Ranked are the departments "
               "with at least %(n)s items and at least one of them closed or overdue; the others are listed "
               "after them as not ranked, with the reason. The best-horse award goes to the best ranked, the "
               "snail award to the lowest ranked."),
    "items": _l("Items received, closed or overdue in the period."),
}

# Why a department is not ranked (figures.NOT_RANKED).
NOT_RANKED_LABELS = {
    "no_items": _l("no items in the period"),
    "few_items": _l("fewer than %(n)s items"),
    "nothing_finished": _l("nothing closed or overdue yet"),
    "no_score": _l("no part of the score applies"),
}

SERIES_LABELS = {
    "received": _l("Received"),
    "closed": _l("Items closed"),
    "closed_on_time": _l("Closed on time"),
}

PERIOD_LABELS = {"month": _l("This month"), "quarter": _l("This quarter"), "year": _l("This year")}


def _settings():
    return current_app.config["PORTAL"]["stats"]


def definitions():
    """{figure: its definition in words}, the configured weights and minimum written out (no config keys)."""
    settings = _settings()
    weights = {name: weight for name, weight in settings["weights"].items() if weight > 0}
    total = sum(weights.values()) or 1
    written = "、".join(f"{FIGURE_LABELS[name]} {100 * weight / total:.0f}%" for name, weight in weights.items())
    texts = {name: str(text) for name, text in FIGURE_DEFINITIONS.items()}
    texts["score"] = str(FIGURE_DEFINITIONS["score"]) % {"weights": written}
    texts["rank"] = str(FIGURE_DEFINITIONS["rank"]) % {"n": settings["min_items"]}
    return texts


def rank_text(row):
    """The rank as people read it: "1", "1 (tied)" or "not ranked: fewer than 3 items"."""
    if row["rank"] is not None:
        return gettext("%(rank)s (tied)", rank=row["rank"]) if row["tied"] else str(row["rank"])
    return gettext("Not ranked: %(reason)s", reason=not_ranked_reason(row))


def not_ranked_reason(row):
    """Why ``row`` is not ranked, in words ("" when it is)."""
    if not row.get("not_ranked"):
        return ""
    return str(NOT_RANKED_LABELS[row["not_ranked"]]) % {"n": _settings()["min_items"]}


def template_globals():
    return {"figure_labels": FIGURE_LABELS, "figure_definitions": FIGURE_DEFINITIONS,
            "series_labels": SERIES_LABELS, "period_labels": PERIOD_LABELS, "rank_text": rank_text,
            "not_ranked_reason": not_ranked_reason, "stats_definitions": definitions}
