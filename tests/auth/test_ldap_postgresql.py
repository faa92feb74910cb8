"""One sign-in against real slapd end to end on PostgreSQL (the rest of tests/auth runs on SQLite)."""

import pytest

from tests.auth.conftest import PASSWORD, user
from tests.conftest import log_in


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_end_to_end_on_postgresql(ldap_app):
    client = ldap_app.test_client()
    assert log_in(client, "chenjing", PASSWORD).status_code == 303
    assert client.get("/api/v1/me").get_json()["roles"] == ["handler", "supervisor"]
    assert user(ldap_app, "chenjing").department.code == "commute"
