"""A date typed in lies at most ten years ahead: beyond it the page and the API answer 422 beside the field."""

import datetime

import pytest

from portal.items.models import Item
from portal.kernel import clock
from portal.kernel.db import database
from tests.conftest import csrf_token

D = datetime.date
HX = {"HX-Request": "true"}


def test_the_horizon_is_ten_years_ahead():
    assert clock.HORIZON_YEARS == 10
    assert clock.latest_allowed_date(D(2026, 11, 29)) == D(2036, 11, 29)
    assert clock.latest_allowed_date(D(2028, 2, 29)) == D(2038, 2, 28)
    assert clock.latest_allowed_date(D(9995, 1, 1)) == D(9999, 1, 1)


def items(app):
    with app.app_context(), database.connection_context():
        return [(item.title, item.deadline) for item in Item.select().order_by(Item.id)]


@pytest.fixture
def latest(app):
    with app.app_context():
        return clock.latest_allowed_date()


def test_the_registration_page_refuses_a_deadline_past_the_horizon(app, demo, latest, sign_in):
    supervisor = sign_in("supervisor")
    form = supervisor.get("/items/new").get_data(as_text=True)
    assert f'max="{latest}"' in form  # the browser's date picker stops there too
    data = {"csrf_token": csrf_token(supervisor, "/items/new"), "title": "管网改造", "source_type": "meeting",
            "lead_department": "property", "leader": "leader", "content": "要求"}
    for too_far in (latest + datetime.timedelta(days=1), D.max):
        response = supervisor.post("/items/new", headers=HX, data={**data, "deadline": too_far.isoformat()})
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="deadline-error"' in body and f"不能晚于 {latest}（最多 10 年以后）" in body
        assert 'aria-describedby="deadline-error"' in body and f'value="{too_far}"' in body  # kept to correct
    assert items(app) == []
    response = supervisor.post("/items/new", data={**data, "deadline": latest.isoformat()})
    assert response.status_code == 303
    assert items(app) == [("管网改造", latest)]


def test_the_api_refuses_it_on_create_and_edit_in_chinese_and_english(app, demo, latest, sign_in):
    supervisor = sign_in("supervisor")
    headers = {"X-CSRFToken": csrf_token(supervisor, "/")}
    item = {"title": "管网改造", "source_type": "meeting", "lead_department": "property", "leader": "leader"}
    response = supervisor.post("/api/v1/items", headers=headers, json={**item, "deadline": "9999-12-31"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"deadline"}
    assert f"不能晚于 {latest}" in response.get_json()["error"]["fields"]["deadline"]
    assert items(app) == []

    assert supervisor.post("/locale/en", data={"csrf_token": headers["X-CSRFToken"]}).status_code == 303
    too_far = (latest + datetime.timedelta(days=1)).isoformat()
    response = supervisor.post("/api/v1/items", headers=headers, json={**item, "deadline": too_far})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "deadline": f"Must be on or before {latest} (at most 10 years ahead)."}
    assert items(app) == []

    created = supervisor.post("/api/v1/items", headers=headers, json={**item, "deadline": latest.isoformat()})
    assert created.status_code == 201, created.get_json()
    number = created.get_json()["number"]
    response = supervisor.patch(f"/api/v1/items/{number}", headers=headers, json={"version": 1, "deadline": too_far})
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"deadline"}
    assert items(app) == [("管网改造", latest)]


def test_an_extension_past_the_horizon_is_refused_too(app, demo, latest, sign_in):
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    as_supervisor = {"X-CSRFToken": csrf_token(supervisor, "/")}
    as_handler = {"X-CSRFToken": csrf_token(handler, "/")}
    with app.app_context():
        soon = (clock.local_today() + datetime.timedelta(days=30)).isoformat()
    number = supervisor.post("/api/v1/items", headers=as_supervisor, json={
        "title": "管网改造", "source_type": "meeting", "lead_department": "property", "leader": "leader",
        "deadline": soon}).get_json()["number"]
    assert supervisor.post(f"/api/v1/items/{number}/actions/dispatch", headers=as_supervisor,
                           json={"version": 1}).status_code == 200
    assert handler.post(f"/api/v1/items/{number}/actions/accept", headers=as_handler,
                        json={"version": 2}).status_code == 200
    response = handler.post(f"/api/v1/items/{number}/actions/request_extension", headers=as_handler, json={
        "version": 3, "new_deadline": (latest + datetime.timedelta(days=1)).isoformat(), "comment": "工期顺延"})
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"new_deadline"}
    assert items(app) == [("管网改造", D.fromisoformat(soon))]
