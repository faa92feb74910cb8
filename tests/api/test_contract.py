"""HTTP details an API client relies on (issue 10, finding 13)."""


def test_a_405_names_the_methods_allowed(sign_in, demo):
    response = sign_in("supervisor").delete("/api/v1/items")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_unauthenticated_write_is_401_not_a_csrf_400(client, demo):
    for method, path in (("post", "/api/v1/items"), ("patch", "/api/v1/items/DB-2026-0001"),
                         ("post", "/api/v1/items/DB-2026-0001/actions/dispatch")):
        response = getattr(client, method)(path, json={"title": "x"})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_signed_in_write_without_the_csrf_header_is_still_refused(sign_in, demo):
    supervisor = sign_in("supervisor")
    assert supervisor.post("/api/v1/items", json={"title": "x"}, csrf_header=False).status_code == 400


def test_a_single_valued_parameter_given_twice_is_422(sign_in, demo):
    supervisor = sign_in("supervisor")
    response = supervisor.get("/api/v1/items?sort=deadline&sort=-deadline")
    assert response.status_code == 422 and "sort" in response.get_json()["error"]["fields"]
    assert supervisor.get("/api/v1/items?page=1&page=2").status_code == 422
    # Lists may repeat: two states are both asked for.
    assert supervisor.get("/api/v1/items?state=draft&state=dispatched").status_code == 200
