"""Articles written through the API, and small real files of every attachment type."""

import io
import zipfile


def write_article(client, **fields):
    data = {"title": "供暖收费制度", "category": "regulation", "body": "# 总则\n\n冬季供暖期间的收费办法。",
            "status": "published"}
    data.update(fields)
    response = client.post("/api/v1/kb/articles", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- small real files, made here (DOCX and XLSX as the demo makes them) -------

from portal.kb.demo import docx_bytes, xlsx_bytes  # noqa: E402,F401  (re-exported for the tests)


def pptx_bytes(title, text):
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    slide.placeholders[1].text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def pdf_bytes(text):
    """A one-page PDF whose text layer says ``text`` (ASCII, Helvetica), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of(objects)


def pdf_of(objects):
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def encrypted_pdf_bytes(text):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(text))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf_bytes():
    """A PDF with a page and no text, as a scan without OCR looks to a text extractor."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def large_docx_bytes(paragraphs=100_000):
    """A real DOCX of ``paragraphs`` paragraphs of random letters (about 4 MB; its XML needs >100 MB
    in a parser), after a Chinese sentence."""
    import os

    document = docx_bytes("班车线路调整")
    source = zipfile.ZipFile(io.BytesIO(document))
    filler = "".join(f"<w:p><w:r><w:t>{os.urandom(32).hex()}</w:t></w:r></w:p>" for _ in range(paragraphs)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", filler + b"<w:sectPr", 1)
            archive.writestr(info.filename, data)
    return out.getvalue()


def zip_bomb_docx_bytes():
    """A DOCX-shaped ZIP whose document inflates 50 MB of nothing from a few KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    return out.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def upload(client, article_id, name, content):
    return client.post(f"/api/v1/kb/articles/{article_id}/attachments",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
