"""Issue 21, finding 12 (decided): publishing starts an article's public history. The revisions saved
while it was a draft (text deleted before publishing included) stay visible to its writers only."""

from tests.kb.conftest import write_article


def test_a_drafts_earlier_revisions_stay_with_the_writers_after_publishing(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = write_article(supervisor, status="draft", body="第一条 按时供暖。\n内部意见：张三不称职")
    path = f"/api/v1/kb/articles/{article['id']}"
    assert supervisor.patch(path, json={"body": "第一条 按时供暖。", "revision": 1}).status_code == 200
    assert supervisor.patch(path, json={"status": "published", "revision": 2}).status_code == 200
    assert supervisor.patch(path, json={"body": "第一条 按时供暖。\n第二条 新规定", "revision": 3}).status_code == 200

    handler = sign_in("handler")
    history = handler.get(f"/kb/{article['id']}/revisions")
    assert history.status_code == 200
    text = history.get_data(as_text=True)
    assert "张三" not in text
    assert handler.get(f"/kb/{article['id']}/revisions?old=1&new=3").status_code == 404
    assert handler.get(f"/kb/{article['id']}/revisions?old=2&new=4").status_code == 404
    public = handler.get(f"/kb/{article['id']}/revisions?old=3&new=4")
    assert public.status_code == 200 and "第二条 新规定" in public.get_data(as_text=True)

    writer = supervisor.get(f"/kb/{article['id']}/revisions?old=1&new=3")
    assert writer.status_code == 200 and "张三不称职" in writer.get_data(as_text=True)
