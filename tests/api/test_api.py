"""The API's contract: OpenAPI document, authentication, errors with fields, pagination, filters."""

import datetime
import re

from openapi_spec_validator import validate

from portal.kernel.clock import local_today
from tests.conftest import bearer, csrf_token, log_in


def test_the_openapi_document_is_valid_and_lists_every_api_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    from portal.items.openapi import ACTION_RULE
    from portal.items.workflow import ACTIONS
    from portal.kernel.openapi import path_of as _openapi_path
    from portal.petitions import openapi as petitions_openapi, workflow as petitions_workflow

    # The action rule is published as one path per action of the table, each with its own body.
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == ACTION_RULE:
            registered |= {f"/api/v1/items/{{number}}/actions/{name}" for name in ACTIONS}
        elif rule.rule == petitions_openapi.RULE:
            registered |= {f"/api/v1/petitions/{{number}}/actions/{name}" for name in petitions_workflow.ACTIONS}
        elif rule.rule.startswith("/api/v1"):
            registered.add(_openapi_path(rule.rule))
    assert registered == set(document["paths"])
    urls = app.url_map.bind("localhost")
    for path, item in document["paths"].items():
        concrete = re.sub(r"\{[a-z_]+_id\}", "1", path.replace("{number}", "DB-2026-0001"))
        for method in set(item) - {"parameters"}:
            urls.match(concrete, method=method.upper())  # raises when no rule answers this method


def test_signed_out_callers_get_401_json(client, demo):
    response = client.get("/api/v1/items")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_changes_need_the_csrf_header_with_a_session(app, demo, client):
    log_in(client, "supervisor")
    response = client.post("/api/v1/items", json={"title": "x"})
    assert response.status_code == 400
    response = client.post("/api/v1/items", json={"title": "x"}, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 422


def test_bad_input_names_each_field_in_chinese_and_english(sign_in, demo, client):
    supervisor = sign_in("supervisor")
    error = supervisor.post("/api/v1/items", json={"source_type": "gossip", "lead_department": "nope"}) \
        .get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) >= {"title", "source_type", "lead_department"}
    assert "必填" in error["fields"]["title"] or "必须" in error["fields"]["title"]
    english = supervisor.post("/locale/en", data={"csrf_token": supervisor.token}, csrf_header=False)
    assert english.status_code == 303
    error = supervisor.post("/api/v1/items", json={}).get_json()["error"]
    assert error["fields"]["title"] == "This field is required."
    assert supervisor.post("/api/v1/items", data="[1]", content_type="application/json").status_code == 422


def test_unknown_items_and_actions_are_404(sign_in, demo):
    supervisor = sign_in("supervisor")
    assert supervisor.get("/api/v1/items/DB-2000-0001").status_code == 404
    number = supervisor.post("/api/v1/items", json={"title": "天然气接入", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]
    response = supervisor.post(f"/api/v1/items/{number}/actions/explode", json={"version": 1})
    assert response.status_code == 404


def test_drafts_are_patched_with_their_version(sign_in, demo):
    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json={"title": "旧房出售", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]
    response = supervisor.patch(f"/api/v1/items/{number}", json={"title": "旧房出售方案", "version": 1,
                                                                 "co_departments": ["retirees"]})
    assert response.status_code == 200
    assert (response.get_json()["title"], response.get_json()["version"]) == ("旧房出售方案", 2)
    assert supervisor.patch(f"/api/v1/items/{number}", json={"title": "stale", "version": 1}).status_code == 409
    assert supervisor.patch(f"/api/v1/items/{number}", json={"title": "no version"}).status_code == 422
    # A draft is the office's working copy: a handler does not even see it.
    assert sign_in("handler").patch(f"/api/v1/items/{number}", json={"title": "x", "version": 2}).status_code == 404


def test_the_list_filters_paginates_and_hides_other_departments(sign_in, demo):
    supervisor = sign_in("supervisor")
    for n in range(3):
        supervisor.post("/api/v1/items", json={"title": f"旧街区关闭 {n}", "source_type": "meeting",
                                               "lead_department": "property"})
    kindergarten = supervisor.post("/api/v1/items", json={"title": "幼儿园供暖", "source_type": "meeting",
                                                          "lead_department": "kindergarten"}).get_json()["number"]
    page = supervisor.get("/api/v1/items?per_page=2&page=2&sort=number").get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    assert supervisor.get("/api/v1/items?q=旧街区&department=property").get_json()["total"] == 3
    assert supervisor.get("/api/v1/items?state=draft&state=closed").get_json()["total"] == 4
    assert supervisor.get("/api/v1/items?light=red").get_json()["total"] == 0
    assert sign_in("kindergarten").get("/api/v1/items").get_json()["total"] == 0  # a draft: not yet theirs
    supervisor.post(f"/api/v1/items/{kindergarten}/actions/dispatch", json={"version": 1})
    assert sign_in("kindergarten").get("/api/v1/items").get_json()["total"] == 1
    error = supervisor.get("/api/v1/items?per_page=1000").get_json()["error"]
    assert "per_page" in error["fields"]
    today = local_today()
    later = (today + datetime.timedelta(days=100)).isoformat()
    assert supervisor.get(f"/api/v1/items?deadline_from={later}").get_json()["total"] == 0


def test_departments_and_following(sign_in, demo):
    codes = [d["code"] for d in sign_in("handler").get("/api/v1/departments").get_json()["departments"]]
    assert codes[:2] == ["office", "property"]
    leader = sign_in("leader")
    number = sign_in("supervisor").post("/api/v1/items", json={"title": "水电气暖收费制度改革", "source_type": "meeting",
                                                               "lead_department": "property"}).get_json()["number"]
    assert leader.put(f"/api/v1/items/{number}/follow").get_json() == {"following": True}
    assert leader.get(f"/api/v1/items/{number}").get_json()["following"] is True
    assert leader.delete(f"/api/v1/items/{number}/follow").get_json() == {"following": False}
    sign_in("supervisor").post(f"/api/v1/items/{number}/actions/dispatch", json={"version": 1})
    assert sign_in("handler").put(f"/api/v1/items/{number}/follow").status_code == 403


def test_uploads_are_checked(sign_in, demo):
    import io

    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json={"title": "x", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]
    response = supervisor.post(f"/api/v1/items/{number}/attachments", data={"file": (io.BytesIO(b"MZ"), "a.exe")},
                               content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]
    response = supervisor.post(f"/api/v1/items/{number}/attachments", data={}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_a_bearer_token_works_without_csrf(app, client, demo):
    from portal.auth.models import User
    from portal.auth.tokens import create_token
    from portal.kernel.db import database

    with app.app_context(), database.connection_context():
        _, token = create_token(User.get(User.username == "supervisor"))
    headers = bearer(token)
    response = client.post("/api/v1/items", headers=headers, json={"title": "天然气接入", "source_type": "meeting",
                                                                    "lead_department": "property"})
    assert response.status_code == 201
    number = response.get_json()["number"]
    response = client.post(f"/api/v1/items/{number}/actions/dispatch", headers=headers, json={"version": 1})
    assert response.get_json()["item"]["state"] == "dispatched"
    assert client.get("/api/v1/items", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_handler_sees_only_the_children_of_their_department(sign_in, demo):
    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json={"title": "旧街区关闭", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]
    for lead in ("property", "culture"):
        child = supervisor.post(f"/api/v1/items/{number}/children", json={
            "title": f"子项 {lead}", "source_type": "meeting", "lead_department": lead}).get_json()["number"]
        supervisor.post(f"/api/v1/items/{child}/actions/dispatch", json={"version": 1})
    supervisor.post(f"/api/v1/items/{number}/actions/dispatch", json={"version": 1})
    assert len(supervisor.get(f"/api/v1/items/{number}").get_json()["children"]) == 2
    assert [c["title"] for c in sign_in("handler").get(f"/api/v1/items/{number}").get_json()["children"]] == \
        ["子项 property"]
    culture = sign_in("culture")
    child = culture.get("/api/v1/items").get_json()["items"][0]
    assert culture.get(f"/api/v1/items/{child['number']}").get_json()["parent"]["title"] == "旧街区关闭"
    assert culture.get(f"/api/v1/items/{number}").status_code == 404


def test_an_action_reads_the_item_three_times_not_four(sign_in, demo):
    """Seen, read again inside the transaction (its version and state), shown afterwards: no more."""
    import re

    from tests.querycount import count_queries

    supervisor = sign_in("supervisor")
    number = supervisor.post("/api/v1/items", json={"title": "燃气入户", "source_type": "meeting",
                                                    "lead_department": "property"}).get_json()["number"]
    with count_queries() as statements:
        response = supervisor.post(f"/api/v1/items/{number}/actions/dispatch", json={"version": 1})
    assert response.status_code == 200 and response.get_json()["item"]["state"] == "dispatched"
    reads = [s for s in statements if re.match(r'SELECT .* FROM "item" AS "t1".* WHERE \(?"t1"\."(id|number)" = ', s)]
    assert len(reads) == 3, reads
