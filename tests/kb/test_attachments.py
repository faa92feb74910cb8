"""Article attachments: text extracted from real files of every type in a limited child process; bad input
kept or refused with a clear reason; failures retried by kb-reindex; attachment text is searchable."""

import pytest

from portal.kb.models import ArticleAttachment
from portal.kernel.db import database
from tests.kb.conftest import (PNG, blank_pdf_bytes, docx_bytes, encrypted_pdf_bytes, large_docx_bytes, pdf_bytes,
                               pptx_bytes, upload, write_article, xlsx_bytes, zip_bomb_docx_bytes)


def _search(client, q):
    return client.get("/api/v1/search", query_string={"q": q}).get_json()


def test_text_of_every_type_is_extracted_and_searchable(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, title="办事指南", body="见附件。")
    files = {
        "规定.docx": (docx_bytes("第一章 总则", "小区集中供暖设施的维护由物业服务中心负责。"), "供暖"),
        "台账.xlsx": (xlsx_bytes([["小区", "燃气表数量"], ["矿区一号院", 120]]), "燃气"),
        "培训.pptx": (pptx_bytes("通勤客运", "班车时刻调整方案"), "班车"),
        "notice.pdf": (pdf_bytes("Heating tariff reform notice"), "tariff"),
    }
    for name, (content, _word) in files.items():
        response = upload(supervisor, article["id"], name, content)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["extract_status"] == "done"  # inline mode: extracted at once
    photo = upload(supervisor, article["id"], "现场.png", PNG)
    assert photo.status_code == 201 and photo.get_json()["extract_status"] == "no_text"
    for name, (_content, word) in files.items():
        found = _search(sign_in("handler"), word)
        assert found["total"] == 1 and found["results"][0]["id"] == article["id"], (name, word)
        assert f"<mark>{word}</mark>" in found["results"][0]["snippet"].replace("<mark>Tariff</mark>",
                                                                                  "<mark>tariff</mark>")
    detail = sign_in("handler").get(f"/api/v1/kb/articles/{article['id']}").get_json()
    assert [a["extract_status"] for a in detail["attachments"]] == ["done"] * 4 + ["no_text"]
    download = sign_in("handler").get(detail["attachments"][0]["url"])
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.data[:2] == b"PK"


def test_bad_files_are_kept_with_their_reason_or_refused_with_a_message(sign_in, demo, app):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor)
    kept = {
        "损坏.pdf": (b"%PDF-1.4\n1 0 obj <<< garbage >>\n" * 20, "failed", "damaged"),
        "加密.pdf": (encrypted_pdf_bytes("secret text"), "failed", "encrypted"),
        "扫描件.pdf": (blank_pdf_bytes(), "no_text", "scanned"),
    }
    for name, (content, status, reason) in kept.items():
        response = upload(supervisor, article["id"], name, content)
        assert response.status_code == 201, (name, response.get_json())
        body = response.get_json()
        assert body["extract_status"] == status and reason in body["extract_error"], (name, body)
    refused = {
        "炸弹.docx": (zip_bomb_docx_bytes(), "ZIP"),
        "照片.pdf": (PNG, "PDF"),
        "报表.xlsx": (docx_bytes("不是表格"), "XLSX"),
        "文档.docx": (b"PK\x03\x04 truncated", "Office"),
        "图片.png": (b"%PDF-1.4 not an image", "图片"),
        "脚本.exe": (b"MZ", "不接受"),
    }
    for name, (content, word) in refused.items():
        response = upload(supervisor, article["id"], name, content)
        assert response.status_code == 422, name
        assert word in response.get_json()["error"]["fields"]["file"], (name, response.get_json())
    too_big = upload(supervisor, article["id"], "大文件.pdf", b"%PDF-1.4\n" + b"0" * (40 * 1024 * 1024))
    assert too_big.status_code == 413
    page = supervisor.get(f"/kb/{article['id']}").get_data(as_text=True)
    assert "该 PDF 已加密，无法读取其文字。" in page and "未找到文字（可能是扫描件）。" in page
    assert "文字提取失败" in page
    # The page form shows a refusal next to the file field.
    form = supervisor.post(f"/kb/{article['id']}/attachments",
                           data={"file": (__import__("io").BytesIO(PNG), "照片.pdf"), "csrf_token": supervisor.token},
                           content_type="multipart/form-data", csrf_header=False)
    assert form.status_code == 422 and "文件内容与文件名不符" in form.get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert ArticleAttachment.select().count() == 3  # only the kept ones


def test_limits_stop_a_greedy_extraction_and_kb_reindex_retries_it(make_app, sign_in, demo, app, runner):
    app.config["PORTAL"]["kb"]["extract_memory_mb"] = 100  # enough to start, too little to parse this file
    app.config["PORTAL"]["kb"]["extract_max_chars"] = 1000  # keep the test quick: index the first lines only
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, title="通勤制度")
    response = upload(supervisor, article["id"], "班车.docx", large_docx_bytes())
    assert response.status_code == 201
    body = response.get_json()
    assert body["extract_status"] == "failed" and "memory" in body["extract_error"]
    assert _search(supervisor, "线路")["total"] == 0
    assert "读取文字所需内存过多。" in supervisor.get(f"/kb/{article['id']}").get_data(as_text=True)

    app.config["PORTAL"]["kb"]["extract_memory_mb"] = 1024
    result = runner.invoke(args=["kb-reindex"])
    assert result.exit_code == 0 and "attachments retried: 1" in result.output
    assert _search(supervisor, "线路")["total"] == 1


def test_a_slow_extraction_is_stopped_by_the_time_limit(sign_in, demo, app, monkeypatch):
    from portal.kb import attachments

    app.config["PORTAL"]["kb"]["extract_timeout_seconds"] = 1
    # A stand-in extractor program that never finishes, run the same way (child process, limits).
    slow = app.instance_path + "/slow.py"
    import os

    os.makedirs(app.instance_path, exist_ok=True)
    with open(slow, "w") as handle:
        handle.write("while True:\n    pass\n")
    monkeypatch.setattr(attachments.extractor, "__file__", slow)
    supervisor = sign_in("supervisor")
    article = write_article(supervisor)
    body = upload(supervisor, article["id"], "慢.pdf", pdf_bytes("slow")).get_json()
    assert body["extract_status"] == "failed" and body["extract_error"] == "the extraction took too long"


@pytest.mark.parametrize("user,status", [("handler", 403), ("leader", 403), ("admin", 201)])
def test_only_writers_attach(sign_in, demo, user, status):
    article = write_article(sign_in("supervisor"))
    assert upload(sign_in(user), article["id"], "a.pdf", pdf_bytes("x")).status_code == status


def test_a_pasted_image_is_checked_like_an_attachment_and_saves_a_draft_only_when_accepted(sign_in, demo, app):
    import io as _io

    from portal.kb.models import Article, ArticleAttachment
    from tests.kb.conftest import PNG, docx_bytes, write_article

    supervisor = sign_in("supervisor")

    def paste(client, name, content, **form):
        return client.post("/kb/images", data={"file": (_io.BytesIO(content), name), **form},
                           content_type="multipart/form-data")

    for name, content in (("x.docx", docx_bytes("x")), ("x.png", b"not an image"), ("x.svg", b"<svg/>")):
        refused = paste(supervisor, name, content, title="新文章")
        assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["file"], name
    with app.app_context():
        assert not Article.select().exists()  # no draft for a refused image
    assert paste(sign_in("handler"), "x.png", PNG).status_code == 403
    no_token = supervisor.post("/kb/images", data={"file": (_io.BytesIO(PNG), "x.png")},
                               content_type="multipart/form-data", csrf_header=False)
    assert no_token.status_code in (400, 403)

    made = paste(supervisor, "x.png", PNG, title="", category="nonsense")
    assert made.status_code == 201
    answer = made.get_json()
    assert answer["markdown"] == f"![x]({answer['url']})" and answer["edit"] == f"/kb/{answer['article']}/edit"
    with app.app_context():
        draft = Article.get_by_id(answer["article"])
        assert draft.status == "draft" and draft.title == "未命名草稿" and draft.category == "regulation"
    article = write_article(supervisor)
    again = paste(supervisor, "y.png", PNG, article=str(article["id"]))
    assert again.status_code == 201 and again.get_json()["article"] == article["id"]
    with app.app_context():
        assert ArticleAttachment.select().where(ArticleAttachment.article == article["id"]).count() == 1
    other = write_article(sign_in("admin"), status="draft")  # someone else's draft: not theirs to see
    assert paste(supervisor, "z.png", PNG, article=str(other["id"])).status_code == 404
