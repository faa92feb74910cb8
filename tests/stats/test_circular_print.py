"""The circular as printed (GB/T 9704-2012, DESIGN §5): LibreOffice converts the DOCX to PDF and the PDF is read
back — A4, two pages for demo-size data with no page holding a lone paragraph, and page 1 carrying the red head,
the document number, the title and the summary in sentences."""

import io
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from tests.conftest import csrf_token

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def make(client, **extra):
    response = client.post("/api/v1/reports/circular", json={**MARCH, **extra},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 202, response.get_data(as_text=True)
    state = client.get(f"/api/v1/jobs/{response.get_json()['job']}").get_json()
    assert state["state"] == "finished", state
    return state, client.get(state["download"]).get_data()


def as_pdf(data, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is installed by make test (scripts/system-packages.sh)"
    source = tmp_path / "circular.docx"
    source.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    return PdfReader(str(tmp_path / "circular.pdf"))


def squeezed(text):
    return "".join(text.split())


@pytest.fixture
def printed(sign_in, in_april, tmp_path):
    state, data = make(sign_in("supervisor"))
    return state, docx.Document(io.BytesIO(data)), as_pdf(data, tmp_path)


def test_the_circular_prints_on_a4_with_its_head_number_title_and_summary(printed):
    state, document, pdf = printed
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595) <= 1 and abs(height - 842) <= 1
    page_1 = squeezed(pdf.pages[0].extract_text())
    assert "矿区办公室" in page_1
    assert state["result"]["number"] == "矿办督〔2025〕1号" and "矿办督〔2025〕1号" in page_1
    assert "关于2025年3月督查督办工作情况的通报" in page_1
    assert "共交办督办事项9项，办结5项，其中按期办结4项，按时办结率80.0%" in page_1
    assert "综合得分最高的是物业服务中心" in page_1 and "得分最低的是文体新闻中心" in page_1
    # J (deadline 7 Mar) before D (14 Mar); the PDF's text layer may move the quotation marks.
    unquoted = page_1.replace("“", "").replace("”", "")
    assert "逾期时间最长的是事项J（文体新闻中心，逾期24天）、事项D（物业服务中心，逾期17天）" in unquoted
    # Margins 37 / 35 / 28 / 26 mm.
    section = document.sections[0]
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_it_fits_two_pages_with_no_lone_paragraph_and_numbered_pages(printed):
    _state, document, pdf = printed
    assert len(pdf.pages) <= 2
    last = [line for line in pdf.pages[-1].extract_text().splitlines() if line.strip()]
    assert len(last) >= 5, last  # not a page holding one paragraph
    assert squeezed(pdf.pages[-1].extract_text()).endswith("矿区办公室2026年4月10日".replace("2026", "2025")
                                                           + f"—{len(pdf.pages)}—")
    assert "—1—" in squeezed(pdf.pages[0].extract_text())
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "— " in footer


def test_the_type_faces_and_sizes_of_a_public_document(printed):
    _state, document, _pdf = printed
    paragraphs = [p for p in document.paragraphs if p.text]
    head, number, title = paragraphs[:3]
    run = head.runs[0]
    assert run.font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)
    assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22  # 2号
    assert title.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in paragraphs if p.text.startswith("2025年3月1日至"))
    assert body.runs[0].font.size.pt == 16  # 3号
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert number._element.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"


def test_the_department_table_fits_the_page_and_nothing_wraps(printed, tmp_path):
    _state, document, pdf = printed
    (table,) = document.tables
    widths = [cell.width for cell in table.rows[0].cells]
    assert abs(sum(widths) - Mm(156)) < Mm(1)  # 210 − 28 − 26 mm
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    assert rows["部门"] == ["部门", "交办", "办结", "按期办结", "按时办结率", "逾期", "得分", "排名"]
    assert rows["物业服务中心"] == ["物业服务中心", "6", "4", "3", "75.0%", "1", "76.1", "1"]
    assert rows["餐饮服务中心"][-1] == "不参评" and rows["餐饮服务中心"][4] == "100.0%"
    assert "不参评：餐饮服务中心（事项少于 2 项）。" in "".join(p.text for p in document.paragraphs)
    assert "综合办公室" not in rows  # no items: named in the note, not a row of dashes
    text = pdf.pages[0].extract_text() + pdf.pages[-1].extract_text()
    lines = [squeezed(line) for line in text.splitlines()]
    # A department's row is one line of the PDF: its name and its figures together, "100.0%" whole.
    assert any(line.startswith("物业服务中心6437") for line in lines), lines
    assert any(line.startswith("餐饮服务中心111100.0%") for line in lines), lines


def test_the_sequence_is_kept_per_year_and_the_requirements_are_the_supervisors(sign_in, in_april, tmp_path):
    client = sign_in("supervisor")
    first, _data = make(client)
    second, data = make(client, requirements="请各部门于4月20日前报送整改情况。")
    assert (first["result"]["seq"], second["result"]["seq"]) == (1, 2)
    assert second["result"]["number"] == "矿办督〔2025〕2号"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "请各部门于4月20日前报送整改情况。" in text and "纳入年度考核" not in text
