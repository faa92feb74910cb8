"""The knowledge base in Chromium: write with the live preview, publish, attach a DOCX, search a word that
only the attachment holds, read; enrol in a training in place. No CSP violation on any page."""

import datetime
import re

from playwright.sync_api import expect

from portal.auth.models import User
from portal.kernel.db import database
from portal.training import services as trainings
from tests.kb.conftest import docx_bytes


def test_write_with_preview_attach_publish_search_and_read(open_as, live_server, tmp_path):
    live_server.app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    supervisor = open_as("supervisor")
    supervisor.locator(".mainnav").get_by_role("link", name="知识库").click()
    supervisor.get_by_role("link", name="撰写文章").click()
    supervisor.get_by_label("标题").fill("冬季供暖督办工作规范")
    supervisor.get_by_label("分类").select_option("regulation")
    supervisor.get_by_label("标签").fill("供暖, 规范")
    body = supervisor.get_by_label("正文（Markdown）")
    body.fill("## 第一条\n\n**按时**供暖，<script>alert(1)</script>")
    preview = supervisor.locator("#preview")
    expect(preview.locator("h2")).to_have_text("第一条")  # rendered while writing, no reload
    expect(preview.locator("strong")).to_have_text("按时")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    body.press_sequentially("\n\n- 新增一条")
    expect(preview.locator("li")).to_have_text("新增一条")
    supervisor.get_by_label("状态").select_option("published")
    supervisor.get_by_role("button", name="保存").click()
    expect(supervisor.locator("h1")).to_have_text("冬季供暖督办工作规范")
    expect(supervisor.locator("#article-body strong")).to_have_text("按时")

    supervisor.get_by_label(re.compile("添加附件")).set_input_files(files=[{
        "name": "管网巡检.docx", "mimeType": "application/octet-stream",
        "buffer": docx_bytes("每周巡检一次市网接入点，发现燃气泄漏立即上报。")}])
    supervisor.get_by_role("button", name="上传").click()
    expect(supervisor.locator(".attachment-list")).to_contain_text("管网巡检.docx")
    expect(supervisor.locator(".attachment-list")).to_contain_text("已提取文字")

    handler = open_as("handler")
    handler.locator(".header-search input").fill("泄漏")
    handler.locator(".header-search input").press("Enter")
    result = handler.locator(".search-results .result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text("泄漏")
    result.get_by_role("link").click()
    expect(handler.locator("h1")).to_have_text("冬季供暖督办工作规范")
    expect(handler.locator("#article-body")).to_contain_text("新增一条")
    expect(handler.get_by_role("link", name="编辑")).to_have_count(0)


def test_enrol_in_a_training_without_a_reload(open_as, live_server):
    start = (datetime.datetime.now() + datetime.timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    with live_server.app.app_context(), database.connection_context():
        training = trainings.create_training(User.get(User.username == "supervisor"), {
            "title": "供暖专项培训", "starts_at": start.isoformat(), "ends_at": start.replace(hour=11).isoformat(),
            "place": "301 会议室", "trainer": "李秀英", "capacity": 1,
            "enrol_until": (start - datetime.timedelta(days=1)).isoformat()})
    handler = open_as("handler")
    handler.goto(f"{live_server.url}/trainings/{training.id}")
    with handler.expect_response(lambda r: r.url.endswith("/enrolment")):
        handler.get_by_role("button", name="报名").click()
    expect(handler.locator("#enrolment")).to_contain_text("您已报名")
    expect(handler.locator("#enrolment")).to_contain_text("已报名 1 人，共 1 个名额")
    other = open_as("catering")
    other.goto(f"{live_server.url}/trainings/{training.id}")
    expect(other.locator("#enrolment")).to_contain_text("名额已满")


PASTE = """([bytes, name, kind]) => {
  const area = document.querySelector('textarea[name="body"]');
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, {type: 'image/png'}));
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
  const init = {bubbles: true, cancelable: true};
  area.dispatchEvent(kind === 'paste' ? new ClipboardEvent('paste', {...init, clipboardData: data})
                                      : new DragEvent('drop', {...init, dataTransfer: data}));
}"""


def test_an_image_pasted_or_dropped_into_a_new_article_is_attached_and_shown(open_as, live_server, tmp_path):
    from tests.kb.conftest import PNG

    live_server.app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/kb/new")
    supervisor.get_by_label("标题").fill("管网巡检图示")
    body = supervisor.get_by_label("正文（Markdown）")
    body.fill("巡检点如下：")
    supervisor.evaluate(PASTE, [list(PNG), "截图.png", "paste"])
    expect(body).to_have_value(re.compile(r"巡检点如下：\n!\[截图\]\(/kb/\d+/attachments/\d+\)\n$"))
    expect(supervisor).to_have_url(re.compile(r"/kb/\d+/edit$"))  # a draft was saved for it
    expect(supervisor.locator("#preview img")).to_have_count(1)
    supervisor.evaluate(PASTE, [list(PNG), "现场.png", "drop"])
    expect(body).to_have_value(re.compile(r"\n!\[现场\]\(/kb/\d+/attachments/\d+\)\n$"))
    supervisor.get_by_label("状态").select_option("published")
    supervisor.get_by_role("button", name="保存").click()
    expect(supervisor.locator("h1")).to_have_text("管网巡检图示")
    images = supervisor.locator("#article-body img")
    expect(images).to_have_count(2)
    for i in range(2):
        assert re.fullmatch(r"/kb/\d+/attachments/\d+", images.nth(i).get_attribute("src"))
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth") == 1  # it loads
    expect(supervisor.locator(".attachment-list li")).to_have_count(2)
    # one article only: the draft saved for the first image is the one published
    with live_server.app.app_context(), database.connection_context():
        from portal.kb.models import Article

        assert Article.select().where(Article.title == "管网巡检图示").count() == 1
