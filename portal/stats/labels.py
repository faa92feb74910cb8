"""What users read for each figure: its name and its definition (shown on the page and in exports)."""

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
    "score": _l("0–100: the weighted shares of the on-time rate, the rating and, for each count where fewer "
                "is better, 1 − count ÷ items (weights in stats.weights)."),
    "rank": _l("By composite score; 1 is the best."),
    "items": _l("Items received, closed or overdue in the period (at least stats.min_items for an award)."),
}

SERIES_LABELS = {
    "received": _l("Received"),
    "closed": _l("Items closed"),
    "closed_on_time": _l("Closed on time"),
}

PERIOD_LABELS = {"month": _l("This month"), "quarter": _l("This quarter"), "year": _l("This year")}


def template_globals():
    return {"figure_labels": FIGURE_LABELS, "figure_definitions": FIGURE_DEFINITIONS,
            "series_labels": SERIES_LABELS, "period_labels": PERIOD_LABELS}
