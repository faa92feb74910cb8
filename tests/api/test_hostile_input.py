"""Crafted input answers 422 with a message on the field, never 500, and text is kept as people mean it
(issue 10, findings 8, 9 and 10)."""

import json

import pytest

ITEM = {"source_type": "meeting", "lead_department": "property"}


def create(supervisor, **fields):
    return supervisor.post("/api/v1/items", json={"title": "燃气入户", **ITEM, **fields})


def accepted(api):
    """An item in progress, as the handler sees it (number, version)."""
    supervisor, handler = api("supervisor"), api("handler")
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
def test_titles_refuse_control_and_direction_characters(api, title):
    response = create(api("supervisor"), title=title)
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]


def test_a_title_of_invisible_characters_is_no_title_and_text_is_kept_in_nfc(api):
    supervisor = api("supervisor")
    response = create(supervisor, title="\u200b")
    assert response.status_code == 422 and "title" in response.get_json()["error"]["fields"]
    created = create(supervisor, title="Cafe\u0301 供\u200b暖", content="第一行\n第二行")
    assert created.status_code == 201
    body = created.get_json()
    assert body["title"] == "Caf\u00e9 供暖" and body["content"] == "第一行\n第二行"


@pytest.mark.parametrize("version", [2**63, -1, 1.5, "1.5", "١"])
def test_a_version_that_is_no_version_is_422(api, version):
    number, _ = accepted(api)
    response = api("handler").post(f"/api/v1/items/{number}/actions/report",
                                   json={"version": version, "progress": 10, "comment": "进展"})
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]


def test_arabic_indic_digits_are_no_number(api):
    number, version = accepted(api)
    response = api("handler").post(f"/api/v1/items/{number}/actions/report",
                                   json={"version": version, "progress": "٤٠", "comment": "进展"})
    assert response.status_code == 422 and "progress" in response.get_json()["error"]["fields"]


def test_a_lone_surrogate_in_a_comment_is_422(api):
    number, version = accepted(api)
    body = '{"version": %d, "progress": 10, "comment": "\\ud800 进展"}' % version
    assert json.loads(body)["comment"].startswith("\ud800")
    response = api("handler").post(f"/api/v1/items/{number}/actions/report", data=body,
                                   content_type="application/json")
    assert response.status_code == 422
    assert "comment" in response.get_json()["error"]["fields"]


def test_a_huge_version_on_the_edit_form_is_422(app, api):
    supervisor = api("supervisor")
    number = create(supervisor).get_json()["number"]
    response = supervisor.patch(f"/api/v1/items/{number}", json={"version": 2**63, "title": "新标题"})
    assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]
