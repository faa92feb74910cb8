"""Import of the year's key tasks (全年重点工作) from the XLSX template: each valid row becomes a draft.

The file is checked as a whole first (an XLSX, not protected, not too long, no
merged cells): a bad file is refused with one clear message and nothing is
imported. The check trusts nothing the file says of itself: the zip members'
sizes bound what is unpacked (a few KB must not inflate to a GB), the rows are
counted from the cells really there (never from the declared dimension, which
may claim A1:XFD100000), and one cell's text is bounded; the sheet is streamed
(read-only, never loaded whole), in the request only as far as these checks,
and read in full only by the import job. Then each row is all or nothing: a draft is made through the same
service as the registration form, or the row is reported with its number and
what was wrong. A row imported once (same values) is never imported again.
"""

import datetime
import hashlib
import io
import json
import re
import zipfile

import peewee
from flask_babel import gettext as _, lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.functions import iterparse

from ..auth.models import Department, User, UserRole
from ..items import services
from ..items.labels import LEVEL_LABELS, SOURCE_LABELS
from ..items.models import LEVELS, SOURCE_TYPES, Item
from ..kernel.changes import write_transaction
from ..kernel.errors import Invalid
from .models import ImportedRow

MAX_ROWS = 2000
LAST_ROW = 10 * MAX_ROWS  # a value below this row is refused (blank rows in between are allowed)
MAX_CELL = 32767  # characters in one cell: Excel's own limit
MAX_UNZIPPED = 24 * 1024 * 1024  # the whole workbook unpacked: a filled-in template is well under 5 MB
MAX_RATIO = 100  # unpacked / packed: ordinary workbooks stay under 20
MAX_MEMBERS = 200  # files inside the zip
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .xls are OLE2 files
SEPARATORS = re.compile(r"[、,，;；\s]+")

# key, header, width, hint (the explanation sheet)
COLUMNS = [
    ("title", _l("Title"), 36, _l("Required. What is to be done.")),
    ("content", _l("Requirements"), 40, _l("The requirements in detail.")),
    ("source_type", _l("Source"), 14, _l("One of the sources below; empty: annual key task.")),
    ("source_ref", _l("Source reference"), 20, _l("Meeting name, document number…")),
    ("level", _l("Level"), 10, _l("One of the levels below; empty: normal.")),
    ("lead_department", _l("Lead department"), 18, _l("Required. A department below, by name or code.")),
    ("co_departments", _l("Co-departments"), 24, _l("Departments below, separated by 、 or commas.")),
    ("leader", _l("Leader"), 12, _l("A leader below, by name or user name.")),
    ("supervisor", _l("Supervisor"), 12, _l("A supervisor below; empty: you.")),
    ("deadline", _l("Deadline"), 12, _l("A date, e.g. 2026-12-31, 2026/12/31 or 2026年12月31日; empty: 30 days.")),
    ("feedback_cycle_days", _l("Feedback cycle (days)"), 12, _l("Whole days between progress reports; 0 or empty: none.")),
]
KEYS = [key for key, *_rest in COLUMNS]
HEADER_OF = {key: header for key, header, *_rest in COLUMNS}


# --- the template -------------------------------------------------------------------

def _people(role):
    return list(User.select().join(UserRole).where(UserRole.role == role, User.active == True)  # noqa: E712
                .order_by(User.username).distinct())


def template():
    """The template workbook (bytes): the key-task sheet, and a sheet explaining columns and valid values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Key tasks")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for index, (key, header, width, _hint) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=str(header))
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    # A date format on the whole column (not on cells, which would count as rows) for what is typed in.
    deadline_column = sheet.cell(row=1, column=KEYS.index("deadline") + 1).column_letter
    sheet.column_dimensions[deadline_column].number_format = "yyyy-mm-dd"
    for key, labels in (("level", LEVEL_LABELS), ("source_type", SOURCE_LABELS)):
        letter = sheet.cell(row=1, column=KEYS.index(key) + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(str(v) for v in labels.values()) + '"',
                                    allow_blank=True)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    guide = workbook.create_sheet(_("Instructions"))
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 24, 60
    lines = [(_("How to fill in the key-task sheet"), ""),
             (_("One row per task, from row 2. At most %(n)s rows. No formulas, no merged cells.", n=MAX_ROWS), ""),
             ("", "")]
    lines += [(str(header), str(hint)) for _key, header, _width, hint in COLUMNS]
    lines += [("", ""), (_("Departments"), _("Code"))]
    lines += [(d.name, d.code) for d in Department.select().where(Department.active == True)  # noqa: E712
              .order_by(Department.sort_order, Department.id)]
    lines += [("", ""), (_("Leaders"), _("User name"))] + [(u.display_name, u.username) for u in _people("leader")]
    lines += [("", ""), (_("Supervisors"), _("User name"))] + \
        [(u.display_name, u.username) for u in _people("supervisor")]
    lines += [("", ""), (_("Levels"), _("Code"))] + [(str(label), code) for code, label in LEVEL_LABELS.items()]
    lines += [("", ""), (_("Sources"), _("Code"))] + [(str(label), code) for code, label in SOURCE_LABELS.items()]
    for first, second in lines:
        guide.append([first, second])
    for row in guide.iter_rows():
        if row[0].value and not row[1].value or row[0].value in (str(_("Departments")), str(_("Leaders"))):
            row[0].font = bold
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- checking the file ----------------------------------------------------------------

def _refuse(message):
    raise Invalid(message, fields={"file": message})


def check_file(data):
    """Refuse a file that is not a usable key-task workbook (422, one clear message); return it.

    Bounded whatever the file claims: the zip's member sizes first (nothing unpacked yet), then the
    sheet streamed once, row by row, the rows counted from the cells there.
    """
    if not data:
        _refuse(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        _refuse(_("The workbook is password-protected or in the old .xls format: save it as an .xlsx without "
                  "a password and upload it again."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        _refuse(_("This is not an Excel .xlsx file. Download the template and fill it in."))
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        _refuse(_("This is not an Excel .xlsx file. Download the template and fill it in."))
    try:
        rows = 0
        for _number, row in _filled_rows(workbook):
            rows += 1
            if rows == 1:
                _check_header(row)
            if rows > MAX_ROWS + 1:
                _refuse(_("The sheet has more than %(n)s rows; split it into several files.", n=MAX_ROWS))
        if rows < 2:
            _refuse(_("The sheet has no task rows."))
        merged = _merged_cells(workbook)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):  # a member truncated or not XML
        _refuse(_("This is not an Excel .xlsx file. Download the template and fill it in."))
    finally:
        workbook.close()
    if merged:
        _refuse(_("The sheet has merged cells (%(cells)s): unmerge them, one value per cell.",
                  cells=", ".join(merged[:5])))
    return data


def _check_archive(data):
    """Refuse a zip whose members would unpack to too much, or at too high a ratio (a zip bomb), before
    anything is unpacked: the sizes are those of the zip's directory, which also bound what zipfile reads."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(_("This is not an Excel .xlsx file. Download the template and fill it in."))
    unzipped = sum(member.file_size for member in members)
    packed = max(1, sum(member.compress_size for member in members))
    if len(members) > MAX_MEMBERS or unzipped > MAX_UNZIPPED or unzipped > packed * MAX_RATIO:
        _refuse(_("The workbook unpacks to %(size)s MB, far more than a key-task sheet holds (at most %(limit)s "
                  "MB): copy the task rows into the template and upload that.",
                  size=round(unzipped / 1024 / 1024, 1), limit=MAX_UNZIPPED // 1024 // 1024))


def _filled_rows(workbook, cells=False):
    """(row number, row) of the first sheet's rows holding a value, the first len(COLUMNS) columns only.

    The declared dimension is dropped (reset_dimensions): openpyxl would otherwise pad every row to it
    and make up every row up to it. A value below LAST_ROW, or one longer than MAX_CELL, is refused.
    ``cells``: the rows as cells (with their type), else as values.
    """
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(max_col=len(COLUMNS), values_only=not cells), start=1):
        values = [getattr(cell, "value", None) for cell in row] if cells else row
        if all(value in (None, "") for value in values):
            continue  # a gap between rows, or formatted but empty
        if number > LAST_ROW:
            _refuse(_("The sheet has a value in row %(row)s: the task rows must lie within the first %(n)s rows.",
                      row=number, n=LAST_ROW))
        if any(isinstance(value, str) and len(value) > MAX_CELL for value in values):
            _refuse(_("A cell in row %(row)s holds more than %(n)s characters.", row=number, n=MAX_CELL))
        yield number, row


def _merged_cells(workbook):
    """The merged ranges of the first sheet, read by streaming its XML (read-only sheets do not list them)."""
    sheet = workbook.worksheets[0]
    merged = []
    with sheet._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell") and len(merged) < 5:
                merged.append(element.get("ref", ""))
            element.clear()
    return merged


def _check_header(row):
    cells = [str(value).strip() if value is not None else "" for value in row[:len(COLUMNS)]]
    for index, (key, header, *_rest) in enumerate(COLUMNS):
        found = cells[index] if index < len(cells) else ""
        if found not in (str(header), header._args[0] if hasattr(header, "_args") else str(header)):
            _refuse(_("Column %(n)s should be headed “%(header)s”, not “%(found)s”: use the template.",
                      n=index + 1, header=header, found=found))


# --- reading the rows -----------------------------------------------------------------

def _lookups():
    departments = {}
    for d in Department.select().where(Department.active == True):  # noqa: E712
        departments[d.code] = departments[d.name] = d.code
    people = {}
    for role in ("leader", "supervisor"):
        people[role] = {}
        for u in _people(role):
            people[role][u.username] = people[role][u.display_name] = u.username
    choices = {}
    for key, codes, labels in (("level", LEVELS, LEVEL_LABELS), ("source_type", SOURCE_TYPES, SOURCE_LABELS)):
        choices[key] = {code: code for code in codes}
        choices[key].update({str(label): code for code, label in labels.items()})
        choices[key].update({label._args[0]: code for code, label in labels.items() if hasattr(label, "_args")})
    return departments, people, choices


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_row(cells, lookups):
    """The service's input for one row, or (None, {column header: message})."""
    departments, people, choices = lookups
    errors = {}

    def fail(key, message):
        errors.setdefault(str(HEADER_OF[key]), message)

    for key, cell in zip(KEYS, cells):
        value = getattr(cell, "value", None)
        # A formula, or text that reads as one (the rows offered back write a formula as text: fixed or not,
        # it does not come in as a title beginning with "=").
        if getattr(cell, "data_type", None) == "f" or isinstance(value, str) and value.startswith("="):
            fail(key, _("A formula is not accepted: type the value itself."))
    values = {key: getattr(cell, "value", cell) for key, cell in zip(KEYS, cells)}
    data = {"title": _text(values.get("title")), "content": _text(values.get("content")),
            "source_ref": _text(values.get("source_ref"))}
    for key, default in (("source_type", "key_task"), ("level", "normal")):
        text = _text(values.get(key))
        data[key] = choices[key].get(text) if text else default
        if data[key] is None:
            fail(key, _("“%(value)s” is not one of the values listed in the instructions.", value=text))
    lead = _text(values.get("lead_department"))
    data["lead_department"] = departments.get(lead, "") if lead else ""
    if lead and not data["lead_department"]:
        fail("lead_department", _("No department named “%(value)s”.", value=lead))
    co = [part for part in SEPARATORS.split(_text(values.get("co_departments"))) if part]
    unknown = [part for part in co if part not in departments]
    if unknown:
        fail("co_departments", _("No department named “%(value)s”.", value="、".join(unknown)))
    data["co_departments"] = sorted({departments[part] for part in co if part in departments})
    for role in ("leader", "supervisor"):
        name = _text(values.get(role))
        data[role] = people[role].get(name, "") if name else ""
        if name and not data[role]:
            fail(role, _("No active %(role)s named “%(value)s”.", role=HEADER_OF[role], value=name))
    deadline = values.get("deadline")
    if isinstance(deadline, datetime.datetime):
        deadline = deadline.date()
    if isinstance(deadline, str) and deadline.strip():
        deadline = date_from_text(deadline.strip())
        if not isinstance(deadline, datetime.date):
            fail("deadline", _("“%(value)s” is not a date: write it like 2026-12-31, 2026/12/31 or 2026年12月31日.",
                               value=deadline))
    elif deadline not in (None, "") and not isinstance(deadline, datetime.date):
        fail("deadline", _("Not a date: format the cell as a date (e.g. 2026-12-31)."))
    data["deadline"] = deadline.isoformat() if isinstance(deadline, datetime.date) else ""
    cycle = values.get("feedback_cycle_days")
    data["feedback_cycle_days"] = _text(cycle) or "0"
    return data, errors


def date_from_text(text):
    """The day written as text in ``text`` (2027-05-31, 2027/5/31, 2027.5.31, 2027年5月31日), else ``text``."""
    match = DATE_TEXT.fullmatch(text)
    if match is None:
        return text
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:  # 2027-02-30
        return text


def fingerprint(data):
    """The identity of a row's values: the same row imported twice has the same fingerprint."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _service_errors(exc):
    fields = exc.fields or {}
    if not fields:
        return {"": exc.message}
    return {str(HEADER_OF.get(key, key)): str(message) for key, message in fields.items()}


def import_rows(user, data, job_id=None, report=lambda percent: None, returned=None):
    """Import the workbook ``data`` as ``user`` (checked again here: check_file); return the row report.

    {"rows", "created": [{"row", "item"}], "skipped": [{"row", "item"}], "rejected": [{"row", "errors"}]}
    ``returned``, a list, receives each rejected row's values with its errors (rejected_workbook).
    """
    check_file(data)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    lookups = _lookups()
    created, skipped, rejected = [], [], []
    try:
        rows = list(_filled_rows(workbook, cells=True))[1:]  # at most MAX_ROWS, without the header
        for index, (row_number, row) in enumerate(rows):
            if index % 20 == 0:
                report(10 + 85 * index // max(1, len(rows)))
            cells = list(row) + [None] * (len(COLUMNS) - len(row))
            values, errors = read_row(cells, lookups)
            if not errors:
                errors = _create(user, values, row_number, job_id, created, skipped)
            if errors:
                rejected.append({"row": row_number, "errors": errors})
                if returned is not None:
                    returned.append(([getattr(cell, "value", None) for cell in cells], errors))
    finally:
        workbook.close()
    return {"rows": len(created) + len(skipped) + len(rejected), "created": created, "skipped": skipped,
            "rejected": rejected}


def _create(user, values, row_number, job_id, created, skipped):
    """Make the row's draft (or find it imported before); the errors of a row the service refuses."""
    key = fingerprint(values)
    earlier = ImportedRow.get_or_none(ImportedRow.fingerprint == key)
    if earlier is not None:
        skipped.append({"row": row_number, "item": Item.get_by_id(earlier.item_id).number})
        return {}
    try:
        with write_transaction():
            item = services.create_item(user, values)
            ImportedRow.create(fingerprint=key, item=item.id, job=job_id)
    except Invalid as exc:
        return _service_errors(exc)
    except peewee.IntegrityError:  # the same row imported at the same moment by another job
        earlier = ImportedRow.get(ImportedRow.fingerprint == key)
        skipped.append({"row": row_number, "item": Item.get_by_id(earlier.item_id).number})
        return {}
    created.append({"row": row_number, "item": item.number})
    return {}


def rejected_workbook(returned):
    """The rejected rows as the template's columns plus a 原因 column (an open temporary file): fixed, the
    file imports again as it is."""
    from . import xlsx

    kinds = {"deadline": "date"}
    columns = [xlsx.Column(header, width, kinds.get(key, "text")) for key, header, width, _hint in COLUMNS]
    columns.append(xlsx.Column(_("Reason"), 50))
    rows = ([_as_cell_value(value) for value in values] + ["；".join(
        f"{column}：{message}" if column else str(message) for column, message in errors.items())]
        for values, errors in returned)
    workbook = xlsx.new_workbook()
    xlsx.write_sheet(workbook, _("Key tasks"), columns, rows)
    return xlsx.save(workbook)


def _as_cell_value(value):
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return value
