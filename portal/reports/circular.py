"""The circular (督查通报) of a period as DOCX: title and period, summary, the table by department,
the ranking, overdue items, closed items and the notable instructions.

Chinese renders in Word and LibreOffice because the styles name an East Asian
font (w:eastAsia) besides the Latin one.
"""


import peewee
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _

from ..auth.models import Department, User
from ..items.models import Item, ItemEvent
from ..kernel.clock import local_day
from ..stats.figures import overdue_items
from ..stats.services import statistics_for

BODY_FONT = ("Times New Roman", "宋体")      # Latin, East Asian
HEADING_FONT = ("Arial", "黑体")
LIST_LIMIT = 200


def _set_font(style, fonts, size=None, bold=None):
    latin, east_asian = fonts
    style.font.name = latin
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    r_pr = style.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    for attribute in ("w:ascii", "w:hAnsi"):
        r_fonts.set(qn(attribute), latin)
    r_fonts.set(qn("w:eastAsia"), east_asian)


def _document():
    document = Document()
    styles = document.styles
    _set_font(styles["Normal"], BODY_FONT, size=12)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14)):
        _set_font(styles[name], HEADING_FONT, size=size, bold=True)
    return document


def _percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _value(value):
    return "—" if value is None else str(value)


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = str(text)
    return table


def _closed_items(period, limit=LIST_LIMIT):
    start, after = period.utc_bounds()
    return list(Item.select(Item, Department).join(Department, on=(Item.lead_department == Department.id))
                .where(Item.state == "closed", Item.closed_at >= start, Item.closed_at < after)
                .order_by(Item.closed_at, Item.id).limit(limit))


def _instructions(period, limit=50):
    start, after = period.utc_bounds()
    return list(ItemEvent.select(ItemEvent, Item, User)
                .join(Item, on=(ItemEvent.item == Item.id))
                .join_from(ItemEvent, User, peewee.JOIN.LEFT_OUTER, on=(ItemEvent.actor == User.id))
                .where(ItemEvent.action == "instruct", ItemEvent.created_at >= start, ItemEvent.created_at < after)
                .order_by(ItemEvent.created_at, ItemEvent.id).limit(limit))



def write(user, period, path, report=lambda percent: None):
    """Write the circular of ``period`` as ``user`` sees it to ``path``; return its summary figures."""
    result = statistics_for(user, period)
    report(30)
    rows = result["departments"]
    totals = {name: sum(r[name] for r in rows) for name in ("received", "closed", "closed_on_time", "open_overdue")}
    on_time = totals["closed_on_time"] / totals["closed"] if totals["closed"] else None

    document = _document()
    title = document.add_paragraph(_("Supervision circular"), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = document.add_paragraph(_("Period: %(start)s to %(end)s", start=period.start, end=period.end))
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading(_("Summary"), level=1)
    document.add_paragraph(_(
        "In this period %(received)s items were dispatched and %(closed)s closed, %(on_time)s of them on time "
        "(on-time rate %(rate)s); %(overdue)s items are open and overdue.",
        received=totals["received"], closed=totals["closed"], on_time=totals["closed_on_time"],
        rate=_percent(on_time), overdue=totals["open_overdue"]))

    document.add_heading(_("Figures by lead department"), level=1)
    header = [_("Department"), _("Received"), _("Items closed"), _("Closed on time"), _("On-time rate"),
              _("Open overdue"), _("Average working days to close"), _("Average rating"), _("Composite score"),
              _("Rank")]
    _table(document, header, ([r["name"], r["received"], r["closed"], r["closed_on_time"], _percent(r["on_time_rate"]),
                               r["open_overdue"], _value(r["avg_days_to_close"]), _value(r["avg_score"]),
                               _value(r["score"]), _value(r["rank"])] for r in rows))
    report(50)

    document.add_heading(_("Ranking"), level=1)
    ranked = sorted((r for r in rows if r["rank"] is not None), key=lambda r: r["rank"])
    for row in ranked:
        document.add_paragraph(_("%(rank)s. %(name)s: %(score)s", rank=row["rank"], name=row["name"],
                                 score=row["score"]))
    best, worst = result["best"], result["worst"]
    document.add_paragraph(_("Best-horse award") + ": " + (best["name"] if best else _("none")))
    document.add_paragraph(_("Snail award") + ": " + (worst["name"] if worst else _("none")))

    document.add_heading(_("Overdue items"), level=1)
    overdue = overdue_items(period, limit=LIST_LIMIT)
    if overdue:
        _table(document, [_("Number"), _("Title"), _("Lead department"), _("Deadline")],
               ([o["number"], o["title"], o["department"], o["deadline"].isoformat()] for o in overdue))
    else:
        document.add_paragraph(_("None."))
    report(70)

    document.add_heading(_("Closed items"), level=1)
    closed = _closed_items(period)
    if closed:
        _table(document, [_("Number"), _("Title"), _("Lead department"), _("Closed at"), _("On time")],
               ([i.number, i.title, i.lead_department.name, local_day(i.closed_at).isoformat(),
                 _("yes") if i.closed_on_time else _("no")] for i in closed))
    else:
        document.add_paragraph(_("None."))
    report(85)

    document.add_heading(_("Notable instructions"), level=1)
    instructions = _instructions(period)
    for event in instructions:
        who = event.actor.display_name if event.actor_id else ""
        document.add_paragraph(_("%(day)s %(leader)s on %(number)s %(title)s: %(comment)s",
                                 day=local_day(event.created_at).isoformat(), leader=who,
                                 number=event.item.number, title=event.item.title, comment=event.comment))
    if not instructions:
        document.add_paragraph(_("None."))
    document.save(str(path))
    report(95)
    return {"received": totals["received"], "closed": totals["closed"], "closed_on_time": totals["closed_on_time"],
            "open_overdue": totals["open_overdue"], "overdue_items": len(overdue), "closed_items": len(closed),
            "instructions": len(instructions)}
