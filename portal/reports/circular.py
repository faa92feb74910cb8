"""The circular (督查通报) as a DOCX 公文 after GB/T 9704-2012: A4, margins 37 / 35 / 28 / 26 mm (top, bottom,
left, right); the red head (发文机关标志, red 小标宋) over the document number and a red line; the title in
2号小标宋; the body in 3号仿宋 with 一、二、 headings in 黑体; the department table fitted to the text width;
the issuer and the date in Chinese at the foot; page numbers "— 1 —" in the footer (a PAGE field).

Fonts are named (w:eastAsia for Chinese besides the Latin w:ascii), so Word and WPS use them where installed
and substitute where not. What the circular says comes from circular_content (shared with the preview).
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask_babel import gettext as _

from ..kernel.db import database
from ..kernel.numbering import next_in_year
from .circular_content import compose
from .models import CircularSequence

LATIN = "Times New Roman"
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋"
HEITI = "黑体"
KAITI = "楷体"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4 = 22, 16, 14, 12   # 2号, 3号, 4号, 小4号 in points
LINE = Pt(28)            # 3号 text at 22 lines a page
TEXT_WIDTH_MM = 210 - 28 - 26
# The department table: column widths in mm (sum = the text width), wide enough that a department name of
# six characters and "100.0%" stay on one line at 小4号.
TABLE_WIDTHS_MM = (33, 14, 14, 19, 23, 14, 17, 22)


def _fonts(element_rpr, east_asian, latin=LATIN):
    fonts = element_rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element_rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _run(paragraph, text, font=FANGSONG, size=SIZE_3, bold=False, colour=None):
    run = paragraph.add_run(text)
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    _fonts(run._element.get_or_add_rPr(), font)
    return run


def _paragraph(document, text="", font=FANGSONG, size=SIZE_3, align=None, indent=True, bold=False, colour=None,
               before=0, after=0, line=LINE, keep_next=False):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    if indent:
        fmt.first_line_indent = Pt(2 * size)  # two characters
    if align is not None:
        paragraph.alignment = align
    fmt.widow_control = True
    fmt.keep_with_next = keep_next
    if text:
        _run(paragraph, text, font, size, bold, colour)
    return paragraph


def _red_line(paragraph):
    """The red line under the document number (a bottom border of its paragraph)."""
    p_pr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def _page_number_footer(section):
    """"— 1 —" centred in the footer, the number a PAGE field (4号 宋体)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", SONGTI, SIZE_4)
    run = _run(paragraph, "", SONGTI, SIZE_4)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)
        else:
            value = OxmlElement("w:t")
            value.text = text
            run._element.append(value)
    _run(paragraph, " —", SONGTI, SIZE_4)


def _cell_text(cell, text, width, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_SMALL_4, font=FANGSONG):
    cell.width = Mm(width)
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(3)
    _run(paragraph, text, font, size, bold)
    tc_pr = cell._element.get_or_add_tcPr()
    no_wrap = OxmlElement("w:noWrap")
    tc_pr.append(no_wrap)


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._element.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(TEXT_WIDTH_MM / 25.4 * 1440)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    margins = OxmlElement("w:tblCellMar")  # narrow cell margins: 1 mm each side
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.append(margins)
    for column, mm in zip(table.columns, TABLE_WIDTHS_MM):
        column.width = Mm(mm)
    for cell, text, mm in zip(table.rows[0].cells, header, TABLE_WIDTHS_MM):
        _cell_text(cell, text, mm, font=HEITI, size=SIZE_SMALL_4 - 1.5)
    repeat = OxmlElement("w:tblHeader")  # the head row again on a following page
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text, mm) in enumerate(zip(cells, values, TABLE_WIDTHS_MM)):
            _cell_text(cell, text, mm, align=WD_ALIGN_PARAGRAPH.LEFT if index == 0 else WD_ALIGN_PARAGRAPH.CENTER)
    for index, row in enumerate(table.rows):  # a row never splits, the table stays on one page where it fits
        cant_split = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().append(cant_split)
        if index < len(table.rows) - 1:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    return table


def _document():
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(SIZE_3)
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.paragraph_format.space_after = Pt(0)
    _page_number_footer(section)
    document.core_properties.title = _("Supervision circular")
    return document


def render(content, path):
    """Write ``content`` (circular_content.Content) as the DOCX at ``path``."""
    document = _document()
    size = 36 if len(content.issuer) <= 8 else 28 if len(content.issuer) <= 12 else 22
    _paragraph(document, content.issuer, XIAOBIAOSONG, size, WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED,
               line=None, after=12)
    number = _paragraph(document, content.number, FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                        after=6)
    _red_line(number)
    _paragraph(document, content.title, XIAOBIAOSONG, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               before=18, after=12, line=Pt(36))
    _paragraph(document, content.addressee, indent=False)
    _paragraph(document, content.opening)

    _paragraph(document, _("I. Overall"), HEITI, keep_next=True)
    _paragraph(document, "".join(content.summary))

    _paragraph(document, _("II. By department"), HEITI, keep_next=True)
    if content.rows:
        _table(document, content.header, content.rows)
    if content.table_note:
        _paragraph(document, content.table_note, FANGSONG, SIZE_SMALL_4 + 2, indent=True, before=4, line=Pt(24))

    heading = 3
    if content.overdue:
        _paragraph(document, _("III. Items open and overdue"), HEITI, keep_next=True)
        for line in content.overdue:
            _paragraph(document, line)
        heading = 4
    _paragraph(document, _("IV. Requirements") if heading == 4 else _("III. Requirements"), HEITI,
               keep_next=True)
    for text in [part for part in content.requirements.splitlines() if part.strip()] or [""]:
        _paragraph(document, text.strip())

    # The foot: the issuer over the date, both right-aligned two characters in from the right margin.
    for text, before in ((content.issuer, 2 * 28), (content.date, 0)):
        paragraph = _paragraph(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, before=before)
        paragraph.paragraph_format.right_indent = Pt(2 * SIZE_3)
        paragraph.paragraph_format.keep_with_next = before > 0
    document.save(str(path))


def write(user, period, path, report=lambda percent: None, requirements=None):
    """Number and write the circular of ``period`` as ``user`` sees it to ``path``; return its summary figures.

    The number is the next of the year (kept per year, never reused): taken in its own transaction, so a
    circular that fails later leaves a gap rather than a number given twice.
    """
    from ..kernel.clock import local_today

    issued = local_today()
    with database.atomic():
        seq = next_in_year(CircularSequence, issued.year)
    report(20)
    content = compose(user, period, requirements, seq=seq, issued=issued)
    report(60)
    render(content, path)
    report(95)
    return {**content.figures, "number": content.number, "seq": seq}
