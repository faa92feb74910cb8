"""Bulk actions on the item list (issue 20.9): tick several items, urge or dispatch them in one step; each item
through the one workflow, in its own transaction, with its own result."""

import re

from portal.items.models import Item, ItemEvent
from portal.kernel.db import database
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def results(html):
    return {number: status for status, number in re.findall(
        r'data-status="(\w+)">\s*<td class="number">(?:<a [^>]+>)?([^<]+)<', html)}


def urged(app, number):
    with app.app_context(), database.connection_context():
        item = Item.get(Item.number == number)
        return ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "urge").count()


def test_the_list_offers_checkboxes_and_a_bulk_bar_to_supervisors_only(sign_in, make_item):
    number = make_item()
    page = sign_in("supervisor").get("/items").get_data(as_text=True)
    assert '<form id="bulk-form"' in page and 'name="csrf_token"' in page
    assert f'<input type="checkbox" name="items" value="{number}" form="bulk-form"' in page
    assert '<option value="urge"' in page and '<option value="dispatch"' in page
    fragment = sign_in("supervisor").get("/items?state=dispatched", headers=HX).get_data(as_text=True)
    assert 'form="bulk-form"' in fragment  # the filtered rows keep their checkboxes
    leader = sign_in("leader").get("/items").get_data(as_text=True)
    assert '<option value="urge"' in leader and '<option value="dispatch"' not in leader
    handler = sign_in("handler").get("/items").get_data(as_text=True)
    assert "bulk-form" not in handler and 'type="checkbox" name="items"' not in handler


def test_urging_several_items_in_one_plain_post_gives_a_result_per_item(app, sign_in, make_item):
    first, second = make_item("供暖接入市网"), make_item("职工食堂改造", lead="catering")
    draft = make_item("旧房出售", actions=())
    client = sign_in("supervisor")
    token = csrf_token(client, "/items")
    # The second was urged an hour ago (through the one-item action): the 24-hour gap holds in bulk too.
    with app.app_context(), database.connection_context():
        version = Item.get(Item.number == second).version
    assert client.post(f"/items/{second}/actions/urge", data={"csrf_token": token, "version": version,
                                                              "comment": "请尽快"}).status_code == 303
    response = client.post("/items/bulk", data={"csrf_token": token, "action": "urge", "comment": "请加快办理",
                                                "items": [first, second, draft, "DB-1999-9999"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html  # without JavaScript: a page of its own
    assert results(html) == {first: "done", second: "urged_recently", draft: "wrong_state",
                             "DB-1999-9999": "not_found"}
    assert "已催办" in html and "24小时内已催办" in html and "当前状态不可办理" in html
    assert "催办：4 项中已办理 1 项。" in html
    assert (urged(app, first), urged(app, second)) == (1, 1)  # the refusals undid nothing, added nothing
    # Once more at once: the first is now within the gap as well.
    again = client.post("/items/bulk", data={"csrf_token": token, "action": "urge", "comment": "再催",
                                             "items": [first]}, headers=HX)
    assert "<html" not in again.get_data(as_text=True)  # htmx: the results alone
    assert results(again.get_data(as_text=True)) == {first: "urged_recently"}
    assert urged(app, first) == 1


def test_a_handler_gets_no_permission_for_each_item(app, sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    response = client.post("/items/bulk", data={"csrf_token": csrf_token(client, "/items"), "action": "urge",
                                                "comment": "催", "items": [number]})
    assert results(response.get_data(as_text=True)) == {number: "forbidden"}
    assert "无权限" in response.get_data(as_text=True) and urged(app, number) == 0


def test_dispatching_several_imported_drafts_in_one_step(app, sign_in, make_item):
    drafts = [make_item(f"重点工作{n}", actions=()) for n in range(3)]
    dispatched = make_item("已交办的事项")
    client = sign_in("supervisor")
    response = client.post("/items/bulk", data={"csrf_token": csrf_token(client, "/items"), "action": "dispatch",
                                                "items": [*drafts, dispatched]}, headers=HX)
    assert response.status_code == 200
    assert results(response.get_data(as_text=True)) == {**{n: "done" for n in drafts}, dispatched: "wrong_state"}
    assert "已交办" in response.get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert {Item.get(Item.number == n).state for n in drafts} == {"dispatched"}


def test_bad_bulk_posts_are_refused_before_any_item(app, sign_in, make_item):
    number = make_item()
    client = sign_in("supervisor")
    token = csrf_token(client, "/items")
    nothing = client.post("/items/bulk", data={"csrf_token": token, "action": "urge", "comment": "催"})
    assert nothing.status_code == 422 and "请至少勾选一项" in nothing.get_data(as_text=True)
    silent = client.post("/items/bulk", data={"csrf_token": token, "action": "urge", "items": [number]})
    assert silent.status_code == 422 and urged(app, number) == 0
    assert client.post("/items/bulk", data={"csrf_token": token, "action": "cancel", "comment": "x",
                                            "items": [number]}).status_code == 404
    too_many = client.post("/items/bulk", data={"csrf_token": token, "action": "dispatch",
                                                "items": [f"DB-2026-{n:04d}" for n in range(101)]})
    assert too_many.status_code == 422
    assert client.post("/items/bulk", data={"action": "urge", "comment": "催", "items": [number]},
                       csrf_header=False).status_code == 400  # no CSRF token
    assert client.post("/api/v1/items/bulk/urge", json={"items": [number], "comment": "催"},
                       csrf_header=False).status_code == 400
    assert urged(app, number) == 0


def test_the_bulk_api(app, sign_in, make_item):
    first, draft = make_item(), make_item("旧房出售", actions=())
    client = sign_in("leader")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    response = client.post("/api/v1/items/bulk/urge", json={"items": [first, draft], "comment": "请抓紧"},
                           headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["action"] == "urge" and body["done"] == 1
    assert [(r["item"], r["status"], r["ok"]) for r in body["results"]] == [(first, "done", True),
                                                                             (draft, "wrong_state", False)]
    assert body["results"][0]["label"] == "已催办"
    forbidden = client.post("/api/v1/items/bulk/dispatch", json={"items": [draft]}, headers=headers).get_json()
    assert forbidden["results"][0]["status"] == "forbidden"
    for bad in ({"items": "DB-2026-0001", "comment": "x"}, {"items": [], "comment": "x"}, {"items": [first]},
                {"items": [1, 2], "comment": "x"}, []):
        assert client.post("/api/v1/items/bulk/urge", json=bad, headers=headers).status_code == 422, bad
    nul = client.post("/api/v1/items/bulk/urge", json={"items": ["DB\x00", "x" * 500], "comment": "催"},
                      headers=headers)  # found by schemathesis: PostgreSQL cannot compare NUL
    assert nul.status_code == 200 and [r["status"] for r in nul.get_json()["results"]] == ["not_found"] * 2
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/items/bulk/urge" in spec["paths"] and "/api/v1/items/bulk/dispatch" in spec["paths"]
