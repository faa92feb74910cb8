"""What the statistics page, its API, its export and the circular show: one function for all."""

from .access import narrowed
from .figures import department_stats, monthly_trends


def statistics_for(user, period, department_code=""):
    """The ranked department figures of ``period`` that ``user`` may see, and twelve months of trends.

    A handler gets their own department only; asking for another's raises NotFound.
    """
    department_ids = narrowed(user, department_code)
    result = department_stats(period, department_ids)
    result["trends"] = monthly_trends(period.as_of, department_ids)
    result["period"] = period
    return result


def as_json(result):
    """The JSON of docs/interfaces.md: {"from", "to", "departments": [...], "best", "worst", "awards"}."""
    def award(row):
        return None if row is None else {"code": row["code"], "name": row["name"], "score": row["score"],
                                         "rank": row["rank"]}

    period = result["period"]
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "departments": result["departments"], "best": award(result["best"]),
            "worst": award(result["worst"]),
            "awards": {kind: [award(row) for row in rows] for kind, rows in result["awards"].items()}}
