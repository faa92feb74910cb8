"""Request hardening found in review: redirects stay on this host."""

import pytest

from tests.conftest import csrf_token

# Request handling does not depend on the database.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("target", ["http://localhost//evil.example/x", "/.//evil.example/x",
                                    "/x/..//evil.example/x", "/\t/evil.example/x"])
def test_next_never_leads_to_another_host(client, auth, demo, target):
    response = client.post("/login", query_string={"next": target}, data={
        "username": "supervisor", "password": "demo", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"

