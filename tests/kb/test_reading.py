"""Required reading and the learning record: the issue's whole path on both databases."""

import datetime
import io
import re

import openpyxl

from tests.kb.conftest import docx_bytes, upload, write_article


def test_a_required_regulation_is_found_read_and_reported(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, title="督办工作制度", body="见附件。",
                            required_for={"roles": ["handler"], "departments": []})
    assert upload(supervisor, article["id"], "制度.docx",
                  docx_bytes("承办部门应在两个工作日内签收，逾期将予以通报。")).status_code == 201

    handler = sign_in("handler")
    board = handler.get("/").get_data(as_text=True)
    assert 'id="panel-required-reading"' in board and "督办工作制度" in board
    assert handler.get("/api/v1/kb/required").get_json()["total"] == 1
    assert "panel-required-reading" not in sign_in("leader").get("/").get_data(as_text=True)

    found = handler.get("/api/v1/search?q=通报").get_json()  # a word only the attachment holds
    assert found["total"] == 1 and found["results"][0]["id"] == article["id"]
    page = handler.get(found["results"][0]["url"])
    assert page.status_code == 200 and handler.get("/api/v1/kb/required").get_json()["total"] == 1  # a GET: nothing
    assert f'hx-post="/kb/{article["id"]}/read" hx-trigger="load"' in page.get_data(as_text=True)
    assert handler.post(f"/kb/{article['id']}/read", headers={"HX-Request": "true"}).status_code == 200
    assert handler.get("/api/v1/kb/required").get_json()["total"] == 0
    assert "panel-required-reading" not in handler.get("/").get_data(as_text=True)

    report = supervisor.get(f"/api/v1/kb/articles/{article['id']}/readers").get_json()
    handlers = {"handler", "catering", "commute", "kindergarten", "retirees", "culture", "office"}
    assert report["read"] == ["handler"] and set(report["unread"]) == handlers - {"handler"}
    page = supervisor.get(f"/kb/{article['id']}/readers").get_data(as_text=True)
    assert "1 人已读，6 人未读。" in page
    assert re.search(r'<th scope="row">物业服务中心</th>\s*<td><span class="reader">张伟 <span class="state state-read">'
                     r'已读</span> <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time></span></td>\s*<td>—</td>', page)
    assert re.search(r'<th scope="row">餐饮服务中心</th>\s*<td>—</td>\s*<td><span class="reader">刘洋 '
                     r'<span class="state state-unread">未读</span></span></td>', page)
    # The navigation's badge still counts the supervisor's unread notifications, not the readers listed.
    badge = supervisor.get("/notifications/badge").get_data(as_text=True)
    assert re.search(r'id="notification-badge"[^>]*>(\d+)</span>', page).group(1) == \
        re.search(r'id="notification-badge"[^>]*>(\d+)</span>', badge).group(1)

    xlsx = supervisor.get(f"/kb/{article['id']}/readers.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("部门", "姓名", "用户名", "阅读情况", "最近阅读时间")
    by_user = {row[2]: row for row in rows[1:]}
    assert set(by_user) == handlers
    assert by_user["handler"][3] == "已读" and isinstance(by_user["handler"][4], datetime.datetime)
    # the time is the local (Asia/Shanghai) one: within a minute of now there, not of UTC
    local_now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
    assert abs(by_user["handler"][4] - local_now) < datetime.timedelta(minutes=2)
    assert by_user["catering"][3] == "未读" and by_user["catering"][4] is None

    profile = handler.get("/profile").get_data(as_text=True)
    assert 'id="learning-title"' in profile and "督办工作制度" in profile


def test_reading_is_recorded_once_per_user_and_revision(sign_in, demo, app):
    from portal.kb.models import ArticleRead
    from portal.kernel.db import database

    supervisor = sign_in("supervisor")
    article = write_article(supervisor, required_for={"roles": [], "departments": ["catering"]})
    catering = sign_in("catering")
    assert catering.get("/api/v1/kb/required").get_json()["total"] == 1
    assert sign_in("handler").get("/api/v1/kb/required").get_json()["total"] == 0  # another department
    for _ in range(3):
        catering.get(f"/kb/{article['id']}")
    catering.post(f"/api/v1/kb/articles/{article['id']}/read")
    supervisor.patch(f"/api/v1/kb/articles/{article['id']}", json={"body": "第二版"})
    catering.post(f"/api/v1/kb/articles/{article['id']}/read")
    with app.app_context(), database.connection_context():
        assert sorted(r.revision for r in ArticleRead.select().where(ArticleRead.article == article["id"])) == [1, 2]
    draft = write_article(supervisor, status="draft", required_for={"roles": ["handler"], "departments": []})
    assert supervisor.post(f"/api/v1/kb/articles/{draft['id']}/read").get_json()["read"] is False
    assert sign_in("handler").get("/api/v1/kb/required").get_json()["total"] == 0  # drafts are not required


def test_an_article_required_for_nobody_has_an_empty_report(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor)
    page = supervisor.get(f"/kb/{article['id']}/readers").get_data(as_text=True)
    assert "0 人已读，0 人未读。" in page and "这篇文章没有指定必读对象。" in page
    assert supervisor.get(f"/api/v1/kb/articles/{article['id']}/readers").get_json() == {
        "article": article["id"], "read": [], "unread": []}


def test_only_writers_see_the_reading_report(sign_in, demo):
    article = write_article(sign_in("supervisor"), required_for={"roles": ["handler"], "departments": []})
    for user, status in (("supervisor", 200), ("admin", 200), ("leader", 403), ("handler", 403)):
        client = sign_in(user)
        assert client.get(f"/kb/{article['id']}/readers").status_code == status, user
        assert client.get(f"/kb/{article['id']}/readers.xlsx").status_code == status, user
        assert client.get(f"/api/v1/kb/articles/{article['id']}/readers").status_code == status, user
        assert client.post(f"/api/v1/kb/articles/{article['id']}/read").status_code == 200, user
        assert client.get("/api/v1/kb/required").status_code == 200, user


def test_changing_who_must_read_changes_the_outstanding_lists(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, required_for={"roles": ["handler"], "departments": []})
    assert sign_in("handler").get("/api/v1/kb/required").get_json()["total"] == 1
    assert sign_in("leader").get("/api/v1/kb/required").get_json()["total"] == 0
    supervisor.patch(f"/api/v1/kb/articles/{article['id']}",
                     json={"required_for": {"roles": ["leader"], "departments": ["catering"]}})
    assert sign_in("handler").get("/api/v1/kb/required").get_json()["total"] == 0
    assert sign_in("leader").get("/api/v1/kb/required").get_json()["total"] == 1
    assert sign_in("catering").get("/api/v1/kb/required").get_json()["total"] == 1
    readers = supervisor.get(f"/api/v1/kb/articles/{article['id']}/readers").get_json()
    assert set(readers["unread"]) == {"leader", "catering"}


def test_the_reading_report_writes_names_as_text_never_formulas(sign_in, demo, app):
    """Formula injection (issue 21.4): a display name beginning with "=" stays text in readers.xlsx."""
    from portal.auth.models import User
    from portal.kernel.db import database

    hostile = '=HYPERLINK("http://evil.example/x","点击查看")'
    with app.app_context(), database.connection_context():
        User.update(display_name=hostile).where(User.username == "catering").execute()
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, title="督办工作制度", body="见附件。",
                            required_for={"roles": ["handler"], "departments": []})
    sheet = openpyxl.load_workbook(io.BytesIO(supervisor.get(f"/kb/{article['id']}/readers.xlsx").data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [(c.value, c.data_type) for c in cells if c.value == hostile] == [(hostile, "s")]
    assert not [c for c in cells if c.data_type == "f"]

def test_opening_an_article_records_nothing_its_post_does(sign_in, demo, app):
    """Issue 21: a GET has no effect, so ``![](/kb/77)`` in another article cannot record a reading of 77."""
    from portal.kb.models import ArticleRead

    supervisor = sign_in("supervisor")
    article = write_article(supervisor, required_for={"roles": ["handler"], "departments": []})
    handler = sign_in("handler")
    page = handler.get(f"/kb/{article['id']}").get_data(as_text=True)
    assert "标记为已读" in page  # the button, for a browser without JavaScript
    with app.app_context():
        assert ArticleRead.select().where(ArticleRead.article == article["id"]).count() == 0
    plain = handler.post(f"/kb/{article['id']}/read", data={"csrf_token": handler.token}, csrf_header=False)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/kb/{article['id']}")
    with app.app_context():
        assert ArticleRead.select().where(ArticleRead.article == article["id"]).count() == 1
    assert handler.get("/api/v1/kb/required").get_json()["total"] == 0
    page = handler.get(f"/kb/{article['id']}").get_data(as_text=True)
    assert "标记为已读" not in page and "阅读。" in page
    without_token = sign_in("catering").post(f"/kb/{article['id']}/read", csrf_header=False)
    assert without_token.status_code in (400, 403)


def test_a_new_revision_is_read_anew(sign_in, demo, app):
    """A reading is recorded per user and revision: after a new revision the page asks for it again."""
    from portal.kb.models import ArticleRead

    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    article = write_article(supervisor, required_for={"roles": ["handler"], "departments": []})
    assert handler.post(f"/kb/{article['id']}/read", headers={"HX-Request": "true"}).status_code == 200
    assert "标记为已读" not in handler.get(f"/kb/{article['id']}").get_data(as_text=True)
    changed = supervisor.patch(f"/api/v1/kb/articles/{article['id']}", json={"body": "修订后的正文。"})
    assert changed.status_code == 200 and changed.get_json()["revision"] == 2
    assert "标记为已读" in handler.get(f"/kb/{article['id']}").get_data(as_text=True)
    assert handler.post(f"/kb/{article['id']}/read", headers={"HX-Request": "true"}).status_code == 200
    with app.app_context():
        assert sorted(r.revision for r in ArticleRead.select().where(ArticleRead.article == article["id"])) == [1, 2]


def test_reminding_the_not_yet_readers_once_a_day(sign_in, demo, app):
    """The button notifies, through the outbox, exactly the audience yet to read; again the same day: nothing."""
    from portal.auth.models import User
    from portal.notify.models import Outbox

    supervisor = sign_in("supervisor")
    article = write_article(supervisor, required_for={"roles": ["handler"], "departments": []})
    handler = sign_in("handler")
    assert handler.post(f"/kb/{article['id']}/read", headers={"HX-Request": "true"}).status_code == 200
    unread = set(supervisor.get(f"/api/v1/kb/articles/{article['id']}/readers").get_json()["unread"])
    assert unread and "handler" not in unread

    def reminded():
        with app.app_context():
            return sorted(u for (u,) in Outbox.select(User.username).join(User, on=(Outbox.recipient == User.id))
                          .where(Outbox.kind == "kb_unread_reminder").tuples())

    path = f"/kb/{article['id']}/readers/remind"
    assert "提醒未读人员" in supervisor.get(f"/kb/{article['id']}/readers").get_data(as_text=True)
    first = supervisor.post(path, data={"csrf_token": supervisor.token}, csrf_header=False)
    assert first.status_code == 303
    assert reminded() == sorted(unread)
    page = supervisor.get(first.headers["Location"]).get_data(as_text=True)
    assert f"已提醒 {len(unread)} 人。" in page and "今天已提醒过" in page
    second = supervisor.post(path, data={"csrf_token": supervisor.token}, csrf_header=False)
    assert "已提醒 0 人。" in supervisor.get(second.headers["Location"]).get_data(as_text=True)
    assert reminded() == sorted(unread)
    assert handler.post(path, data={"csrf_token": handler.token}, csrf_header=False).status_code == 403
    with app.app_context():
        row = Outbox.get(Outbox.kind == "kb_unread_reminder")
        assert row.data["article"] == article["id"] and row.item_id is None
