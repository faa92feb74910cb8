"""Articles: writing, drafts and publishing, revisions and their differences, rendering, permissions."""

from portal.kb.models import Article, ArticleRevision
from portal.kernel.db import database
from tests.conftest import with_demo_people
from tests.kb.conftest import write_article


def test_a_draft_is_seen_by_its_author_only_and_published_by_everyone(sign_in, demo):
    draft = write_article(sign_in("supervisor"), title="供暖办法（草稿）", status="draft")
    assert draft["status"] == "draft" and draft["revision"] == 1 and draft["author"] == "supervisor"
    for other in ("handler", "leader", "admin"):
        assert sign_in(other).get(f"/api/v1/kb/articles/{draft['id']}").status_code == 404
        assert sign_in(other).get(f"/kb/{draft['id']}").status_code == 404
        assert "供暖办法" not in sign_in(other).get("/kb").get_data(as_text=True)
    assert sign_in("supervisor").get(f"/kb/{draft['id']}").status_code == 200

    published = sign_in("supervisor").patch(f"/api/v1/kb/articles/{draft['id']}", json={"status": "published"})
    assert published.status_code == 200 and published.get_json()["revision"] == 2
    for other in ("handler", "leader", "admin"):
        page = sign_in(other).get(f"/kb/{draft['id']}")
        assert page.status_code == 200 and "供暖办法" in page.get_data(as_text=True)
        assert "供暖办法" in sign_in(other).get("/kb").get_data(as_text=True)


def test_every_save_is_a_revision_with_author_and_time_and_the_difference_is_escaped(sign_in, demo, app):
    article = write_article(sign_in("supervisor"), body="第一条 按时供暖。\n第二条 <b>旧规定</b>")
    admin = sign_in("admin")
    response = admin.patch(f"/api/v1/kb/articles/{article['id']}",
                           json={"body": "第一条 按时供暖。\n第二条 <script>alert(1)</script>新规定", "revision": 1})
    assert response.status_code == 200 and response.get_json()["revision"] == 2
    stale = sign_in("supervisor").patch(f"/api/v1/kb/articles/{article['id']}", json={"title": "x", "revision": 1})
    assert stale.status_code == 409
    with app.app_context(), database.connection_context():
        rows = list(ArticleRevision.select().where(ArticleRevision.article == article["id"])
                    .order_by(ArticleRevision.number))
        assert [(r.number, r.author.username) for r in rows] == [(1, "supervisor"), (2, "admin")]
        assert rows[0].body.endswith("<b>旧规定</b>") and rows[0].created_at <= rows[1].created_at

    page = sign_in("handler").get(f"/kb/{article['id']}/revisions?old=1&new=2").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert '<span class="diff-add">+第二条 &lt;script&gt;alert(1)&lt;/script&gt;新规定</span>' in page
    assert '<span class="diff-del">-第二条 &lt;b&gt;旧规定&lt;/b&gt;</span>' in page
    assert sign_in("handler").get(f"/kb/{article['id']}/revisions?old=1&new=9").status_code == 404


def test_input_is_checked_field_by_field(sign_in, demo):
    response = sign_in("supervisor").post("/api/v1/kb/articles", json={
        "title": " ", "category": "gossip", "tags": ["a" * 31], "status": "secret",
        "required_for": {"roles": ["king"], "departments": ["nowhere"]}})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"title", "category", "tags", "status", "required_for"}
    page = sign_in("supervisor").post("/kb/new", data={"title": "", "category": "regulation", "body": "x",
                                                       "csrf_token": sign_in("supervisor").token})
    assert page.status_code == 422 and 'aria-invalid="true"' in page.get_data(as_text=True)


def test_required_for_with_objects_or_lists_inside_is_refused_not_a_crash(sign_in, demo):
    """Issue 21: ``[{}]`` or ``[[1]]`` among the roles or departments answered 500 (unhashable); now 422."""
    supervisor = sign_in("supervisor")
    article = write_article(supervisor)
    for required in ({"roles": [{}]}, {"departments": [{}]}, {"roles": [[1]]}, {"departments": [[1]], "roles": []},
                     {"roles": ["handler", 3]}):
        for response in (supervisor.post("/api/v1/kb/articles", json={"title": "x", "category": "regulation",
                                                                      "required_for": required}),
                         supervisor.patch(f"/api/v1/kb/articles/{article['id']}", json={"required_for": required})):
            assert response.status_code == 422, (required, response.status_code)
            assert set(response.get_json()["error"]["fields"]) == {"required_for"}
            assert response.get_json()["error"]["fields"]["required_for"] == "请以名称列表给出角色和部门。"


def test_the_page_form_writes_and_edits_an_article(sign_in, demo):
    client = sign_in("supervisor")
    token = client.token
    response = client.post("/kb/new", data={"title": "燃气安全检查指引", "category": "experience", "tags": "燃气，安全",
                                            "body": "**检查** 燃气管道", "status": "published",
                                            "required_roles": ["handler"], "required_departments": ["property"],
                                            "csrf_token": token})
    assert response.status_code == 303
    article_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    got = client.get(f"/api/v1/kb/articles/{article_id}").get_json()
    assert got["tags"] == ["燃气", "安全"] and got["required_for"] == {"roles": ["handler"], "departments": ["property"]}
    assert got["rendered"] and "<strong>检查</strong>" in got["html"]
    edit = client.post(f"/kb/{article_id}/edit", data={"title": "燃气安全检查指引（修订）", "category": "experience",
                                                       "tags": "燃气", "body": "**检查** 燃气管道", "status": "published",
                                                       "revision": "1", "csrf_token": token})
    assert edit.status_code == 303
    assert client.get(f"/api/v1/kb/articles/{article_id}").get_json()["revision"] == 2
    listed = client.get("/kb?tag=燃气").get_data(as_text=True)
    assert "燃气安全检查指引（修订）" in listed
    assert "燃气安全检查指引" not in client.get("/kb?category=policy").get_data(as_text=True)


def test_the_live_preview_renders_sanitized_markdown(sign_in, demo):
    client = sign_in("supervisor")
    html = client.post("/kb/preview", data={"body": "**粗体** <script>alert(1)</script> [x](javascript:alert(1))"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<strong>粗体</strong>" in html and "<script>" not in html and 'href="javascript' not in html
    assert sign_in("handler").post("/kb/preview", data={"body": "x"}).status_code == 403


WRITER, READER = ("supervisor", "admin"), ("leader", "handler")


def test_permissions_of_every_route_for_every_role(sign_in, demo, app):
    from tests.kb.conftest import pdf_bytes, upload

    published = write_article(sign_in("supervisor"), title="公开")
    draft = write_article(sign_in("supervisor"), title="草稿", status="draft")
    p, d = published["id"], draft["id"]
    pa = upload(sign_in("supervisor"), p, "a.pdf", pdf_bytes("public")).get_json()["id"]
    da = upload(sign_in("supervisor"), d, "b.pdf", pdf_bytes("draft")).get_json()["id"]
    for user in WRITER + READER:
        client = sign_in(user)
        writer = user in WRITER
        expected = {
            ("get", "/kb"): 200,
            ("get", "/kb/new"): 200 if writer else 403,
            ("get", f"/kb/{p}"): 200,
            ("get", f"/kb/{p}/body"): 200,
            ("get", f"/kb/{p}/revisions"): 200,
            ("get", f"/kb/{p}/edit"): 200 if writer else 403,
            ("get", f"/kb/{d}"): 200 if user == "supervisor" else 404,
            ("get", f"/kb/{d}/edit"): 200 if user == "supervisor" else 403 if not writer else 404,
            ("get", f"/kb/{d}/revisions"): 200 if user == "supervisor" else 404,
            ("post", "/kb/preview"): 200 if writer else 403,
            ("get", "/api/v1/kb/articles"): 200,
            ("get", f"/api/v1/kb/articles/{p}"): 200,
            ("get", f"/api/v1/kb/articles/{d}"): 200 if user == "supervisor" else 404,
            ("patch", f"/api/v1/kb/articles/{p}"): 200 if writer else 403,
            ("patch", f"/api/v1/kb/articles/{d}"): 200 if user == "supervisor" else 403 if not writer else 404,
            ("post", "/api/v1/kb/articles"): 201 if writer else 403,
            ("post", f"/api/v1/kb/articles/{p}/attachments"): 422 if writer else 403,
            ("post", f"/api/v1/kb/articles/{d}/attachments"): 422 if user == "supervisor" else 404,
            ("get", f"/kb/{p}/attachments/999"): 404,
            ("get", f"/kb/{p}/attachments/{pa}"): 200,
            ("get", f"/kb/{p}/attachments/{pa}/status"): 200,
            ("get", f"/kb/{d}/attachments/{da}"): 200 if user == "supervisor" else 404,
            ("get", f"/kb/{d}/attachments/{da}/status"): 200 if user == "supervisor" else 404,
            ("get", f"/kb/{p}/attachments/{da}"): 404,  # another article's file
            ("post", "/kb/new"): 422 if writer else 403,
            ("post", f"/kb/{p}/edit"): 422 if writer else 403,
            ("post", f"/kb/{p}/attachments"): 422 if writer else 403,
            ("get", f"/kb/{p}/readers"): 200 if writer else 403,
            ("get", f"/kb/{p}/readers.xlsx"): 200 if writer else 403,
            ("get", f"/api/v1/kb/articles/{p}/readers"): 200 if writer else 403,
            ("post", f"/api/v1/kb/articles/{p}/read"): 200,
            ("post", f"/api/v1/kb/articles/{d}/read"): 200 if user == "supervisor" else 404,
            ("get", "/api/v1/kb/required"): 200,
            ("get", "/search?q=公开"): 200,
            ("get", "/api/v1/search?q=公开"): 200,
        }
        for (method, path), status in expected.items():
            if method == "get":
                response = client.get(path)
            elif method == "patch":
                response = client.patch(path, json={"tags": [user]})
            elif path.endswith("/attachments") and path.startswith("/api/"):
                response = client.post(path, data={}, content_type="multipart/form-data")
            elif path == "/kb/preview":
                response = client.post(path, data={"body": "x"})
            elif not path.startswith("/api/"):  # a page form: an empty title or no file
                response = client.post(path, data={"title": "", "category": "policy", "csrf_token": client.token},
                                       content_type="multipart/form-data", csrf_header=False)
            elif path.endswith("/read"):
                response = client.post(path)
            else:
                response = client.post(path, json={"title": f"{user} 的文章", "category": "policy"})
            assert response.status_code == status, (user, method, path, response.status_code)
    anonymous = app.test_client()
    for path in ("/kb", f"/kb/{p}", "/kb/new", "/search?q=x"):
        assert anonymous.get(path).status_code in (302, 303)
    for path in ("/api/v1/kb/articles", f"/api/v1/kb/articles/{p}", "/api/v1/search?q=x"):
        assert anonymous.get(path).status_code == 401
    # Without the CSRF header a signed-in change is refused.
    assert sign_in("supervisor").post("/api/v1/kb/articles", json={"title": "x"},
                                      csrf_header=False).status_code in (400, 403)


def test_the_rendered_html_arrives_through_the_queue_without_a_reload(make_app, redis_server, sign_in):
    from redis import Redis
    from rq import SimpleWorker


    Redis.from_url(redis_server.url).flushall()
    app = with_demo_people(make_app(redis={"url": redis_server.url}))
    client = sign_in("supervisor", app=app)
    article = write_article(client, body="**要点** <img src=x onerror=alert(1)>")
    assert article["rendered"] is False and article["html"] is None
    page = client.get(f"/kb/{article['id']}").get_data(as_text=True)
    assert 'data-rendered="false"' in page and 'hx-trigger="every 1s"' in page
    assert "**要点** &lt;img src=x onerror=alert(1)&gt;" in page  # the escaped text at once
    fragment = client.get(f"/kb/{article['id']}/body", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in fragment  # still waiting for the job

    with app.app_context():
        SimpleWorker(["kb"], connection=Redis.from_url(redis_server.url)).work(burst=True)
    fragment = client.get(f"/kb/{article['id']}/body", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-rendered="true"' in fragment and "every 1s" not in fragment
    assert "<strong>要点</strong>" in fragment and "onerror" not in fragment.replace("&lt;img src=x onerror", "")
    with app.app_context(), database.connection_context():
        assert Article.get_by_id(article["id"]).rendered_revision == 1


def test_two_writers_saving_the_same_revision_at_once_one_wins(sign_in, demo, app):
    import threading

    from portal.auth.models import User
    from portal.kb import services
    from portal.kernel.errors import Conflict

    article = write_article(sign_in("supervisor"))
    with app.app_context(), database.connection_context():
        ids = [User.get(User.username == name).id for name in ("supervisor", "admin")]
    barrier = threading.Barrier(2)
    results = [None, None]

    def save(i):
        with app.app_context(), database.connection_context():
            barrier.wait()
            try:
                results[i] = services.update_article(User.get_by_id(ids[i]), Article.get_by_id(article["id"]),
                                                     {"body": f"第{i}版", "revision": 1})
            except Conflict as exc:
                results[i] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["Article", "Conflict"]
    with app.app_context(), database.connection_context():
        assert ArticleRevision.select().where(ArticleRevision.article == article["id"]).count() == 2
