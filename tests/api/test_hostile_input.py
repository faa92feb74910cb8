"""Crafted input answers 422 with a message on the field, never 500, and text is kept as people mean it
(issue 10, findings 8, 9 and 10)."""

import json

import pytest

ITEM = {"source_type": "meeting", "lead_department": "property"}


def create(supervisor, **fields):
    return supervisor.post("/api/v1/items", json={"title": "燃气入户", **ITEM, **fields})


def accepted(sign_in):
    """An item in progress, as the handler sees it (number, version)."""
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    number = create(supervisor).get_json()["number"]
    supervisor.post(f"/api/v1/items/{number}/actions/dispatch", json={"version": 1})
    handler.post(f"/api/v1/items/{number}/actions/accept", json={"version": 2})
    return number, 3


@pytest.mark.parametrize("title", [
    "供暖\r\n<a href='http://evil'>点这里</a>",  # line breaks and a link for the robots
    "燃气\x00入户",                             # NUL
    "\u202e供暖",                                # right-to-left override
    "\x1b[31m红色",                               # terminal escape
])
def test_titles_refuse_control_and_direction_characters(sign_in, demo, title):
    response = create(sign_in("supervisor"), title=title)
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]


def test_a_title_of_invisible_characters_is_no_title_and_text_is_kept_in_nfc(sign_in, demo):
    supervisor = sign_in("supervisor")
    response = create(supervisor, title="\u200b")
    assert response.status_code == 422 and "title" in response.get_json()["error"]["fields"]
    created = create(supervisor, title="Cafe\u0301 供\u200b暖", content="第一行\n第二行")
    assert created.status_code == 201
    body = created.get_json()
    assert body["title"] == "Caf\u00e9 供暖" and body["content"] == "第一行\n第二行"


@pytest.mark.parametrize("version", [2**63, -1, 1.5, "1.5", "١", float("inf")])
def test_a_version_that_is_no_version_is_422(sign_in, demo, version):
    number, _ = accepted(sign_in)
    response = sign_in("handler").post(f"/api/v1/items/{number}/actions/report",
                                       json={"version": version, "progress": 10, "comment": "进展"})
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]


def test_arabic_indic_digits_are_no_number(sign_in, demo):
    number, version = accepted(sign_in)
    response = sign_in("handler").post(f"/api/v1/items/{number}/actions/report",
                                       json={"version": version, "progress": "٤٠", "comment": "进展"})
    assert response.status_code == 422 and "progress" in response.get_json()["error"]["fields"]


def test_a_lone_surrogate_in_a_comment_is_422(sign_in, demo):
    number, version = accepted(sign_in)
    body = '{"version": %d, "progress": 10, "comment": "\\ud800 进展"}' % version
    assert json.loads(body)["comment"].startswith("\ud800")
    response = sign_in("handler").post(f"/api/v1/items/{number}/actions/report", data=body,
                                       content_type="application/json")
    assert response.status_code == 422
    assert "comment" in response.get_json()["error"]["fields"]


def test_a_huge_version_on_the_edit_form_is_422(app, sign_in, demo):
    supervisor = sign_in("supervisor")
    number = create(supervisor).get_json()["number"]
    response = supervisor.patch(f"/api/v1/items/{number}", json={"version": 2**63, "title": "新标题"})
    assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]


def test_a_number_too_large_for_a_float_is_422(sign_in, demo):
    number, version = accepted(sign_in)
    body = '{"version": %d, "progress": 1e999, "comment": "进展"}' % version
    response = sign_in("handler").post(f"/api/v1/items/{number}/actions/report", data=body,
                                       content_type="application/json")
    assert response.status_code == 422 and "progress" in response.get_json()["error"]["fields"]


def test_knowledge_base_and_training_text_is_held_to_the_same_rules(sign_in, demo):
    supervisor = sign_in("supervisor")
    article = supervisor.post("/api/v1/kb/articles", json={"title": "供暖\u202e规定", "category": "regulation",
                                                           "body": "正文", "status": "draft"})
    assert article.status_code == 422 and "title" in article.get_json()["error"]["fields"]
    training = supervisor.post("/api/v1/trainings", json={"title": "培训\r\n抄送", "starts_at": "2030-01-02T09:00",
                                                          "ends_at": "2030-01-02T10:00", "place": "301",
                                                          "trainer": "李秀英", "capacity": 1e999,
                                                          "enrol_until": "2030-01-01T18:00"})
    assert training.status_code == 422
    assert {"title", "capacity"} <= set(training.get_json()["error"]["fields"])


def nested(depth):
    """A JSON object whose one value is a list nested ``depth`` deep (issue 21, finding 5)."""
    return '{"title": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("method, path", [
    ("post", "/api/v1/items"),
    ("patch", "/api/v1/items/DB-0000-0000"),
    ("post", "/api/v1/items/DB-0000-0000/actions/report"),
    ("post", "/api/v1/items/DB-0000-0000/children"),
    ("post", "/api/v1/kb/articles"),
    ("post", "/api/v1/petitions"),
    ("post", "/api/v1/trainings"),
    ("post", "/api/v1/inspections"),
    ("post", "/api/v1/reports/circular"),
])
@pytest.mark.parametrize("depth", [2000, 100_000, 40])
def test_a_body_nested_thousands_deep_is_422_not_500(sign_in, demo, method, path, depth):
    supervisor = sign_in("supervisor")
    number = create(supervisor).get_json()["number"]
    response = getattr(supervisor, method)(path.replace("DB-0000-0000", number), data=nested(depth),
                                           content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "body" in response.get_json()["error"]["fields"]



HUGE = "99999999999999999999"  # beyond any database integer


def test_ids_beyond_any_database_integer_in_form_fields_are_no_id_not_500(sign_in, demo):
    supervisor, admin = sign_in("supervisor"), sign_in("admin")
    preview = supervisor.post("/kb/preview", data={"body": "# 标题", "article": HUGE})
    assert preview.status_code == 200 and "标题" in preview.get_data(as_text=True)
    article = supervisor.post("/api/v1/kb/articles", json={"title": "制度", "category": "regulation",
                                                          "body": "正文", "status": "published"}).get_json()
    assert supervisor.get(f"/kb/{article['id']}/revisions?old={HUGE}&new={HUGE}").status_code in (200, 404)
    pasted = supervisor.post("/kb/images", data={"article": HUGE, "title": "草稿", "category": "regulation"})
    assert pasted.status_code == 422  # no file: refused, not a crash
    robot = admin.post("/admin/notifications/robots", data={"department": HUGE, "kind": "wecom",
                                                            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"})
    assert robot.status_code == 404  # no such department
