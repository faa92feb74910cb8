"""Request hardening found in review: redirects stay on this host, CSRF holds outside /api/, huge numbers in URLs are not errors."""

import pytest

from tests.conftest import csrf_token, log_in

# Request handling does not depend on the database.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("target", ["http://localhost//evil.example/x", "/.//evil.example/x",
                                    "/x/..//evil.example/x", "/\t/evil.example/x"])
def test_next_never_leads_to_another_host(client, demo, target):
    response = client.post("/login", query_string={"next": target}, data={
        "username": "supervisor", "password": "demo", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@SQLITE_ONLY
def test_a_bearer_header_does_not_lift_csrf_from_a_page(client, demo):
    from portal.auth.models import ApiToken
    from portal.kernel.db import database

    log_in(client, "leader", "demo")
    response = client.post("/profile/tokens", data={"name": "forged"},
                           headers={"Authorization": "Bearer anything"})
    assert response.status_code == 400
    with client.application.app_context(), database.connection_context():
        assert not ApiToken.select().exists()


HUGE = "99999999999999999999"  # beyond any database integer


@SQLITE_ONLY
def test_a_huge_page_number_answers_a_page_not_500(sign_in, demo):
    client = sign_in("admin")
    for path in [f"/notifications?page={HUGE}", f"/api/v1/notifications?page={HUGE}", f"/admin/users?page={HUGE}",
                 f"/admin/sign-ins?page={HUGE}", f"/admin/notifications?page={HUGE}"]:
        assert client.get(path).status_code == 200, path


@SQLITE_ONLY
def test_a_huge_id_in_a_url_is_404_not_500(sign_in, demo):
    client = sign_in("admin")
    token = csrf_token(client, "/profile")
    assert client.post(f"/profile/tokens/{HUGE}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/api/v1/notifications/{HUGE}/read", headers={"X-CSRFToken": token}).status_code == 404
    assert client.post(f"/admin/users/{HUGE}/overrides", data={"csrf_token": token, "role": "leader"}).status_code == 404
