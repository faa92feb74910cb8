"""Text extraction from one file, meant to run in a child process with resource limits:

    python -m portal.search.extractor KIND PATH MAX_CHARS

prints one JSON object: {"status": "done"|"no_text"|"failed", "text": ..., "error": ...}.
Imports nothing of the portal, so the child starts fast and a bad file can at worst kill the child.
"""

import json
import sys
import zipfile

# A DOCX/XLSX/PPTX is a ZIP: refuse one that would inflate beyond this, or by more than RATIO.
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100

ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


class ExtractionError(Exception):
    """The file cannot be read; the message says why (short, English; the page translates the common ones)."""


def zip_check(path, kind):
    """Raise ExtractionError unless ``path`` is a ZIP holding ``kind``'s main part and inflating sanely."""
    if not zipfile.is_zipfile(path):
        raise ExtractionError("not a valid Office file")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if ZIP_PARTS[kind] not in names:
            raise ExtractionError(f"not a {kind.upper()} file")
        unzipped = sum(info.file_size for info in infos)
        packed = sum(info.compress_size for info in infos) or 1
        if unzipped > MAX_UNZIPPED or unzipped / packed > MAX_RATIO:
            raise ExtractionError("the file inflates too much (a ZIP bomb?)")


def sniff(path, kind):
    """Raise ExtractionError when the content does not match ``kind`` (the name's extension)."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if kind == "pdf":
        if not head.startswith(b"%PDF-"):
            raise ExtractionError("not a PDF file")
    elif kind in ZIP_PARTS:
        zip_check(path, kind)
    elif kind == "image":
        if not (head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
            raise ExtractionError("not an image")


def _pdf(path):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ExtractionError("the PDF is encrypted")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfReadError as exc:
        raise ExtractionError(f"the PDF is damaged ({str(exc)[:80]})") from None


def _docx(path):
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(path):
    import openpyxl

    with open(path, "rb") as handle:  # a file object: openpyxl refuses a path without .xlsx
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        parts = []
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = [str(v) for v in row if v is not None]
                if cells:
                    parts.append(" ".join(cells))
        book.close()
    return "\n".join(parts)


def _pptx(path):
    from pptx import Presentation

    parts = []
    for slide in Presentation(path).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
    return "\n".join(parts)


EXTRACTORS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "pptx": _pptx}


def near_memory_limit():
    """True when this process's peak address space came within 32 MiB of its RLIMIT_AS."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return peak > limit - 32 * 1024 * 1024


def extract(kind, path, max_chars):
    """{"status", "text", "error"} for the file at ``path``."""
    try:
        sniff(path, kind)
        if kind == "image":
            return {"status": "no_text", "text": "", "error": "an image has no text layer"}
        text = EXTRACTORS[kind](path)
    except ExtractionError as exc:
        return {"status": "failed", "text": "", "error": str(exc)}
    except MemoryError:
        return {"status": "failed", "text": "", "error": "the file needs too much memory"}
    except Exception as exc:  # any parser's own error on a damaged file: reported, not raised
        if near_memory_limit():  # parsers report a failed allocation in their own words (lxml: "unknown error")
            return {"status": "failed", "text": "", "error": "the file needs too much memory"}
        return {"status": "failed", "text": "", "error": f"the file is damaged ({type(exc).__name__})"}
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())[:max_chars]
    if not text:
        return {"status": "no_text", "text": "", "error": "no text found (a scanned document?)"}
    return {"status": "done", "text": text, "error": ""}


def main(argv):
    kind, path, max_chars = argv[1], argv[2], int(argv[3])
    sys.stdout.write(json.dumps(extract(kind, path, max_chars), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
