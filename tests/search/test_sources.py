"""Search sources of issue 20 point 12: the text of an item's attachments, residents' petitions and
inspection findings (each only for who may see it), and snippets in plain text."""

import pytest

from portal.auth.models import User
from portal.inspections import services as inspections
from portal.items.models import Attachment
from portal.items.search import index_item
from portal.kernel.clock import local_today
from portal.kernel.db import database
from portal.petitions import services as petitions
from portal.search.services import plain_text, snippet
from tests.items.conftest import act, attach, register
from tests.kb.conftest import docx_bytes, write_article

from .conftest import cjk_pdf_bytes


def search(client, q, **args):
    response = client.get("/api/v1/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(client, q, **args):
    return [(r["kind"], r["id"]) for r in search(client, q, **args)["results"]]


def _user(name):
    return User.get(User.username == name)


@pytest.fixture
def context(app, demo, tmp_path):
    """``with context():`` an app and request context with a database connection (uploads under tmp_path)."""
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")

    def make():
        return _Context(app)
    return make


class _Context:
    def __init__(self, app):
        self.request, self.connection = app.test_request_context(), database.connection_context()

    def __enter__(self):
        self.request.__enter__()
        self.connection.__enter__()

    def __exit__(self, *exc):
        self.connection.__exit__(*exc)
        self.request.__exit__(*exc)


def test_a_word_inside_an_items_docx_or_pdf_attachment_is_found(context, sign_in):
    with context():
        supervisor = _user("supervisor")
        by_docx = register(supervisor, title="冬季保障", content="见附件。")
        by_pdf = register(supervisor, title="设备检修", content="见附件。")
        neither = register(supervisor, title="年度计划", content="按计划推进。")
        attach(supervisor, by_docx, "方案.docx", docx_bytes("各区要在十一月前完成集中供暖设备检修。"))
        attach(supervisor, by_pdf, "清单.pdf", cjk_pdf_bytes("锅炉房燃气管道供暖检查清单"))
        attach(supervisor, neither, "照片.png", b"\x89PNG\r\n\x1a\n not really")
        statuses = {a.original_name: a.extract_status for a in Attachment.select()}
    assert statuses == {"方案.docx": "done", "清单.pdf": "done", "照片.png": "no_text"}
    leader = sign_in("leader")
    assert sorted(ids(leader, "供暖")) == sorted([("item", by_docx.number), ("item", by_pdf.number)])
    assert ids(leader, "燃气") == [("item", by_pdf.number)]
    heating = {r["id"]: r["snippet"] for r in search(leader, "供暖")["results"]}
    assert "集中<mark>供暖</mark>设备检修" in heating[by_docx.number]


def test_item_attachments_read_in_an_action_are_found_and_kb_reindex_reads_old_ones(context, sign_in, runner):
    with context():
        supervisor, handler = _user("supervisor"), _user("handler")
        item = act(supervisor, register(supervisor, title="旧房出售"), "dispatch")
        item = act(handler, item, "accept")
        from io import BytesIO

        from werkzeug.datastructures import FileStorage

        from portal.items import actions
        from portal.items.models import Item
        fresh = Item.get_by_id(item.id)
        actions.perform(handler, fresh, "report", {"version": fresh.version, "comment": "进度见附件", "progress": 30},
                        files=[FileStorage(BytesIO(docx_bytes("已完成房屋测绘。")), filename="进度.docx")])
        assert Attachment.get().extract_status == "done"
    assert ids(sign_in("supervisor"), "测绘") == [("item", item.number)]  # only the file says it
    with context():
        # an attachment from before the text was read (migration 33 leaves them pending)
        Attachment.update(extract_status="pending", text="").execute()
        index_item(item.id)
    assert ids(sign_in("supervisor"), "测绘") == []
    result = runner.invoke(args=["kb-reindex"])
    assert result.exit_code == 0, result.output
    with context():
        assert [a.extract_status for a in Attachment.select()] == ["done"]
    assert ids(sign_in("supervisor"), "测绘") == [("item", item.number)]


def _petition(supervisor, **fields):
    data = {"channel": "hotline", "category": "heating", "area": "东风小区", "content": "楼道暖气不热，供暖不足。"}
    return petitions.register(supervisor, {**data, **fields})


def test_a_petition_is_found_by_who_may_see_it(context, sign_in):
    with context():
        supervisor = _user("supervisor")
        ours = _petition(supervisor)
        theirs = _petition(supervisor, area="西山小区")
        waiting = _petition(supervisor, area="南湖小区")
        for petition, department in ((ours, "property"), (theirs, "catering")):
            petitions.perform(supervisor, petition, "assign", {"version": petition.version, "department": department})
    everything = {("petition", p.number) for p in (ours, theirs, waiting)}
    assert set(ids(sign_in("supervisor"), "供暖")) == everything
    assert set(ids(sign_in("leader"), "供暖", kind="petition")) == everything
    assert ids(sign_in("handler"), "供暖") == [("petition", ours.number)]
    assert ids(sign_in("catering"), "暖气") == [("petition", theirs.number)]
    assert search(sign_in("culture"), "供暖")["total"] == 0
    assert search(sign_in("admin"), "供暖")["total"] == 0
    page = sign_in("handler").get("/search?q=供暖").get_data(as_text=True)
    assert f"/petitions/{ours.number}" in page and theirs.number not in page
    # a reply is searchable once written
    assert ids(sign_in("supervisor"), "换热站") == []
    with context():
        fresh = type(ours).get_by_id(ours.id)
        petitions.perform(_user("handler"), fresh, "answer", {"version": fresh.version, "reply": "已检修换热站。"})
    assert ids(sign_in("supervisor"), "换热站") == [("petition", ours.number)]


def test_a_finding_is_found_by_who_may_see_it(context, sign_in):
    with context():
        supervisor = _user("supervisor")
        item = act(supervisor, register(supervisor, co_departments=[]), "dispatch")  # property's
        inspection = inspections.plan(supervisor, {
            "subject": "供暖设施入户检查", "date": local_today().isoformat(), "places": "一区",
            "members": ["supervisor", "catering"], "items": [item.number]})
        loose = inspections.record_finding(supervisor, inspection, {"text": "三区锅炉房燃气泄漏报警器失灵"})
        linked = inspections.record_finding(supervisor, inspection, {"text": "一区燃气管道锈蚀",
                                                                     "item": item.number})
    both = {("finding", loose.id), ("finding", linked.id)}
    assert set(ids(sign_in("supervisor"), "燃气")) == both
    assert set(ids(sign_in("leader"), "燃气", kind="finding")) == both
    assert set(ids(sign_in("catering"), "燃气")) == both  # a member sees the inspection's findings
    assert ids(sign_in("handler"), "燃气") == [("finding", linked.id)]  # their department's item
    assert search(sign_in("culture"), "燃气")["total"] == 0
    result = search(sign_in("handler"), "燃气")["results"][0]
    assert result["url"].endswith(f"/inspections/{inspection.id}#finding-{linked.id}")
    assert "供暖设施入户检查" in result["title"] and "<mark>燃气</mark>" in result["snippet"]


MARKDOWN = """# 供暖保障方案

**所有换热站**在十一月前完成检修，__重点__是~~老旧~~管网，见[通知](http://intranet/notice)。

| 站名 | 状态 |
| --- | --- |
| 一号换热站 | 待检修 |

> 引用：`代码`

- 列表一项
"""


@pytest.mark.parametrize("word", ["换热站", "待检修", "重点", "列表"])
def test_snippets_are_plain_text_without_markdown_marks(word):
    text = str(snippet([MARKDOWN], [word]))
    assert f"<mark>{word}</mark>" in text
    assert not any(mark in text for mark in ("**", "__", "~~", "|", "#", "---", "](", "`", "&gt;"))


def test_plain_text_keeps_the_words_and_escaping_stays():
    assert plain_text(MARKDOWN).splitlines()[:2] == [
        "供暖保障方案", "所有换热站在十一月前完成检修，重点是老旧管网，见通知。"]
    assert "&lt;b&gt;" in str(snippet(["<b>供暖</b> 3#楼"], ["供暖"])) and "3#楼" in str(snippet(["供暖 3#楼"], ["供暖"]))


def test_snippets_of_items_and_articles_have_no_markdown(context, sign_in):
    with context():
        register(_user("supervisor"), title="冬季保障", content=MARKDOWN)
    write_article(sign_in("supervisor"), title="收费办法", body=MARKDOWN)
    results = search(sign_in("supervisor"), "换热站")["results"]
    assert {r["kind"] for r in results} == {"item", "article"}
    for r in results:
        assert "<mark>换热站</mark>" in r["snippet"]
        assert not any(mark in r["snippet"] for mark in ("**", "|", "#"))


def test_migration_33_gives_an_older_databases_attachments_their_text_columns(context, sign_in, runner):
    from portal.migrations import SchemaVersion, upgrade

    with context():
        supervisor = _user("supervisor")
        item = register(supervisor, title="冬季保障")
        attach(supervisor, item, "方案.docx", docx_bytes("集中供暖设备检修。"))
        for column in ("extract_status", "extract_error", "text"):
            database.execute_sql(f"ALTER TABLE attachment DROP COLUMN {column}")
        SchemaVersion.delete().where(SchemaVersion.version == 33).execute()
        assert upgrade() == [33]
        assert upgrade() == []
        assert [(a.original_name, a.extract_status, a.text) for a in Attachment.select()] == [("方案.docx", "pending", "")]
    assert runner.invoke(args=["kb-reindex"]).exit_code == 0
    assert ids(sign_in("leader"), "供暖") == [("item", item.number)]
