"""What the circular (督查通报) says, apart from how it is printed: its head, title, summary in sentences, the
department table, the overdue items and the requirements paragraph. The DOCX (circular.py) and the form's
preview both write this, so the preview shows what will be printed."""

import dataclasses
import datetime

from flask import current_app
from flask_babel import gettext as _

from ..kernel.clock import local_today
from ..stats.figures import overdue_items
from ..stats.labels import not_ranked_reason
from ..stats.services import statistics_for

# The overdue items named in the summary (the longest overdue), and listed in their section.
NAMED_OVERDUE = 3
LISTED_OVERDUE = 10
REQUIREMENTS_MAX = 2000
QUARTERS = ("一", "二", "三", "四")


@dataclasses.dataclass
class Content:
    issuer: str
    number: str
    title: str
    addressee: str
    opening: str
    summary: list        # sentences of the summary paragraph
    header: list         # the department table's column heads
    rows: list           # its rows (lists of text), ranked first
    table_note: str
    overdue: list        # lines of the overdue section
    requirements: str
    date: str
    figures: dict        # the totals, for the job's result


def settings():
    return current_app.config["PORTAL"]["reports"]


def chinese_date(day):
    """2026年12月7日 (arabic numerals, as GB/T 9704-2012 writes the date of issue)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_name(period):
    """The period as a title names it: 2025年3月, 2025年第一季度, 2025年, or 2025年3月1日至3月16日."""
    start, end = period.start, period.end
    whole_months = start.day == 1 and (end + datetime.timedelta(days=1)).day == 1 and start.year == end.year
    if whole_months and start.month == end.month:
        return f"{start.year}年{start.month}月"
    if whole_months and start.month == 1 and end.month == 12:
        return f"{start.year}年"
    if whole_months and start.month % 3 == 1 and end.month == start.month + 2:
        return f"{start.year}年第{QUARTERS[start.month // 3]}季度"
    if start.year == end.year:
        return f"{chinese_date(start)}至{end.month}月{end.day}日"
    return f"{chinese_date(start)}至{chinese_date(end)}"


def document_number(seq, year):
    """The 发文字号 of ``reports.number_format``: 矿办督〔2026〕12号; ``seq`` None (a preview) shows ×."""
    return settings()["number_format"].format(year=year, seq="×" if seq is None else seq)


def _percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _names(rows):
    return "、".join(r["name"] for r in rows)


def _award_sentence(awards):
    best, worst = awards["best"], awards["worst"]
    if not best:
        return _("No department is ranked in this period.")
    text = _("The best composite score went to %(names)s (%(score)s points), awarded the best-horse award",
             names=_names(best), score=best[0]["score"])
    if len(best) > 1:
        text += _(" (tied)")
    if not worst:
        return text + _("; fewer than two ranked departments with different scores, so no snail award.")
    text += _("; the lowest to %(names)s (%(score)s points), awarded the snail award",
              names=_names(worst), score=worst[0]["score"])
    if len(worst) > 1:
        text += _(" (tied)")
    return text + _(".")


def _overdue_phrase(item, as_of):
    days = (as_of - item["deadline"]).days
    return _("“%(title)s” (%(department)s, %(days)s days overdue)", title=item["title"],
             department=item["department"], days=days)


def compose(user, period, requirements=None, seq=None, issued=None):
    """The Content of the circular of ``period`` as ``user`` sees it; ``seq`` its number in the year
    (None for a preview), ``issued`` its date (today)."""
    issued = issued or local_today()
    conf = settings()
    result = statistics_for(user, period)
    rows = result["departments"]
    totals = {name: sum(r[name] for r in rows) for name in ("received", "closed", "closed_on_time", "open_overdue")}
    rate = totals["closed_on_time"] / totals["closed"] if totals["closed"] else None
    as_of = period.as_of
    overdue = overdue_items(period, limit=200)
    name = period_name(period)

    summary = [_("From %(start)s to %(end)s, %(received)s supervision items were dispatched and %(closed)s closed, "
                 "%(on_time)s of them on time (on-time rate %(rate)s); as of %(as_of)s, %(overdue)s items are open "
                 "and overdue.", start=chinese_date(period.start), end=chinese_date(period.end),
                 received=totals["received"], closed=totals["closed"], on_time=totals["closed_on_time"],
                 rate=_percent(rate), as_of=chinese_date(as_of), overdue=totals["open_overdue"]),
               _award_sentence(result["awards"])]
    if overdue:
        named = [_overdue_phrase(item, as_of) for item in overdue[:NAMED_OVERDUE]]
        summary.append(_("Overdue longest: %(items)s.", items="、".join(named)))

    shown = [r for r in rows if r["items"]]
    # Short heads, so that the table fits the page's width (circular.TABLE_WIDTHS_MM).
    header = [_("Department"), _("Items dispatched"), _("Closures"), _("Closed on time"), _("On-time rate"),
              _("Overdue now"), _("Points"), _("Rank")]
    table = []
    for row in shown:
        if row["rank"] is None:
            rank = _("Not ranked")
        else:
            rank = _("%(rank)s (tied)", rank=row["rank"]) if row["tied"] else str(row["rank"])
        table.append([row["name"], str(row["received"]), str(row["closed"]), str(row["closed_on_time"]),
                      _percent(row["on_time_rate"]), str(row["open_overdue"]),
                      "—" if row["score"] is None else f"{row['score']:.1f}", rank])
    reasons = {}  # the unranked grouped by their reason, in table order
    for r in shown:
        if r["rank"] is None:
            reasons.setdefault(not_ranked_reason(r), []).append(r["name"])
    notes = [_("%(names)s: %(reason)s", names="、".join(names), reason=reason) for reason, names in reasons.items()]
    note_parts = []
    if notes:
        note_parts.append(_("Not ranked: %(list)s.", list="；".join(notes)))
    if len(shown) < len(rows):
        note_parts.append(_("The other departments had no items in this period."))

    overdue_lines = [_("%(n)s. %(title)s (%(number)s, %(department)s, due %(deadline)s, %(days)s days overdue).",
                       n=index, title=item["title"], number=item["number"], department=item["department"],
                       deadline=chinese_date(item["deadline"]), days=(as_of - item["deadline"]).days)
                     for index, item in enumerate(overdue[:LISTED_OVERDUE], start=1)]
    if len(overdue) > LISTED_OVERDUE:
        overdue_lines.append(_("And %(n)s more.", n=len(overdue) - LISTED_OVERDUE))

    text = (requirements if requirements is not None else conf["requirements"]).strip()
    return Content(
        issuer=conf["issuer"], number=document_number(seq, issued.year),
        title=_("Circular on the supervision work of %(period)s", period=name),
        addressee=_("To every department:"),
        opening=_("The supervision work of %(period)s is circulated as follows.", period=name),
        summary=summary, header=header, rows=table, table_note=" ".join(note_parts), overdue=overdue_lines,
        requirements=text, date=chinese_date(issued),
        figures={**totals, "overdue_items": len(overdue), "departments": len(shown)})
