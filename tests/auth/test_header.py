"""Trusted-header SSO: accepted only from the configured proxies; roles from LDAP."""

import pytest

from tests.auth.conftest import PASSWORD, ldap_settings
from tests.conftest import log_in

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PROXY = "10.0.0.5"


def make(make_app, directory, header="REMOTE_USER", backends=("header", "ldap")):
    return make_app(auth={"backends": list(backends), "ldap": ldap_settings(directory.ldap_uri),
                          "header": {"user_header": header, "trusted_proxies": [PROXY, "192.168.8.0/24"]}})


def me(client, **kwargs):
    response = client.get("/api/v1/me", **kwargs)
    return response.get_json().get("username") if response.status_code == 200 else None


def test_remote_user_from_a_trusted_proxy_signs_in_with_directory_roles(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    page = client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "chenjing@EXAMPLE.COM"})
    assert page.status_code == 200
    assert "陈静" in page.get_data(as_text=True)
    data = client.get("/api/v1/me", environ_base={"REMOTE_ADDR": PROXY}).get_json()
    assert data["roles"] == ["handler", "supervisor"]
    assert data["department"]["code"] == "commute"


def test_remote_user_from_an_untrusted_address_is_ignored(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    response = client.get("/profile", environ_base={"REMOTE_ADDR": "10.0.0.99", "REMOTE_USER": "wangjg"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")
    assert me(client, environ_base={"REMOTE_ADDR": "10.0.0.99"}) is None


def test_custom_header_from_a_trusted_network(make_app, directory):
    app = make(make_app, directory, header="X-Remote-User")
    client = app.test_client()
    response = client.get("/profile", headers={"X-Remote-User": "lixy"}, environ_base={"REMOTE_ADDR": "192.168.8.17"})
    assert response.status_code == 200
    assert "李秀英" in response.get_data(as_text=True)


def test_custom_header_from_anyone_else_is_ignored(make_app, directory):
    app = make(make_app, directory, header="X-Remote-User")
    client = app.test_client()
    response = client.get("/profile", headers={"X-Remote-User": "wangjg"}, environ_base={"REMOTE_ADDR": "192.168.9.1"})
    assert response.status_code == 303
    # With a custom header, the WSGI REMOTE_USER variable means nothing either.
    response = client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg"})
    assert response.status_code == 303


def test_header_for_a_person_not_in_the_directory_is_refused(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    response = client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "*)(uid=*"})
    assert response.status_code == 303
    response = client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "stranger"})
    assert response.status_code == 303


def test_header_backend_needs_to_be_listed(make_app, directory):
    app = make(make_app, directory, backends=("ldap",))
    response = app.test_client().get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg"})
    assert response.status_code == 303


def test_password_form_still_works_beside_the_header(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    assert log_in(client, "wangjg", PASSWORD).status_code == 303
    assert me(client) == "wangjg"


def test_another_user_in_the_header_replaces_the_session(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg"})
    assert me(client, environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "lixy"}) == "lixy"


def test_directory_down_known_users_keep_their_last_roles_newcomers_get_503(make_app, fresh_directory):
    server = fresh_directory()
    app = make(make_app, server)
    first = app.test_client()
    assert first.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg"}).status_code == 200
    server.stop()
    later = app.test_client()
    page = later.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg"})
    assert page.status_code == 200 and "王建国" in page.get_data(as_text=True)
    assert me(later, environ_base={"REMOTE_ADDR": PROXY}) == "wangjg"
    newcomer = app.test_client().get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "lixy"})
    assert newcomer.status_code == 503
    assert "目录服务暂时不可用" in newcomer.get_data(as_text=True)


def _token_form(client, environ, **form):
    from tests.conftest import CSRF_META

    page = client.get("/profile", environ_base=environ).get_data(as_text=True)
    data = {"name": "脚本", "csrf_token": CSRF_META.search(page).group(1), **form}
    return client.post("/profile/tokens", data=data, environ_base=environ)


def test_sso_users_create_tokens_through_the_proxy_without_a_password(make_app, directory):
    """The proxy authenticates every request with Kerberos: a request carrying it is the proof."""
    app = make(make_app, directory, backends=("header",))
    client = app.test_client()
    through_proxy = {"REMOTE_ADDR": PROXY, "REMOTE_USER": "chenjing@EXAMPLE.COM"}
    page = client.get("/profile", environ_base=through_proxy).get_data(as_text=True)
    assert 'name="password"' not in page
    assert _token_form(client, through_proxy).status_code == 201
    # The same session cookie presented without the proxy's header proves nothing.
    elsewhere = {"REMOTE_ADDR": "192.168.8.7"}
    refused = _token_form(client, elsewhere)
    assert refused.status_code == 422 and "单点登录地址" in refused.get_data(as_text=True)


def test_sso_users_with_a_directory_password_may_type_it_instead(make_app, directory):
    app = make(make_app, directory)
    client = app.test_client()
    client.get("/profile", environ_base={"REMOTE_ADDR": PROXY, "REMOTE_USER": "chenjing"})
    elsewhere = {"REMOTE_ADDR": "192.168.8.7"}
    assert _token_form(client, elsewhere).status_code == 422
    assert _token_form(client, elsewhere, password="wrong").status_code == 422
    assert _token_form(client, elsewhere, password=PASSWORD).status_code == 201
