"""Streaming XLSX: openpyxl's write-only workbook, typed cells, Chinese headers, frozen header row.

Rows are written one at a time to a temporary file, so memory does not grow
with the number of rows; the finished file is sent from disk. Text is always
written as text: openpyxl takes a string beginning with ``=`` for a formula,
so a title like ``=HYPERLINK("http://evil.example/x")`` would become a live
formula in the reader's Excel (formula injection); such a cell is typed ``s``.
"""

import datetime
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "percent": "0.0%", "int": "0",
           "number": "0.00", "text": "@"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


class Column:
    """A column: its header, width in characters and kind (text, int, number, percent, date, datetime)."""

    def __init__(self, header, width, kind="text"):
        self.header, self.width, self.kind = str(header), width, kind


def new_workbook():
    return Workbook(write_only=True)


def write_sheet(workbook, title, columns, rows):
    """Add a sheet ``title`` with a bold frozen header row, column widths, and ``rows`` as typed cells."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = text_cell(sheet, column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, column, value) for column, value in zip(columns, row)])
    return sheet


# Kinds openpyxl types by itself from the Python value (dates get yyyy-mm-dd): written as plain values,
# which is several times faster than a styled cell.
PLAIN = {"text", "int", "date"}


def text_cell(sheet, value):
    """``value`` as a cell typed text (``s``), never a formula, whatever it begins with."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def _cell(sheet, column, value):
    if value is None:
        return None
    if column.kind == "text" or isinstance(value, str):
        text = str(value)
        # Only a string beginning with "=" would be taken for a formula; the others stay plain (faster).
        return text_cell(sheet, text) if text.startswith("=") else text
    if column.kind in PLAIN:
        return value
    if column.kind == "datetime" and isinstance(value, datetime.datetime):
        value = value.replace(microsecond=0)
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = FORMATS[column.kind]
    return cell


def save(workbook):
    """The workbook written to a temporary file (deleted when closed), rewound for sending."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
