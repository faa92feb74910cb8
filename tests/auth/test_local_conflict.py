"""A directory person named like a local account never takes it over (sign-in, header SSO, ldap-sync)."""

import pytest

from portal.kernel.db import database
from tests.auth.conftest import PASSWORD, ldap_settings, user
from tests.conftest import log_in

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PROXY = "10.0.0.5"
LOCAL_PASSWORD = "break-glass-2026"


def make(make_app, directory, backends):
    app = make_app(auth={"backends": backends, "ldap": ldap_settings(directory.ldap_uri),
                         "header": {"user_header": "REMOTE_USER", "trusted_proxies": [PROXY]}})
    from portal.auth.users import create_user

    with app.app_context(), database.connection_context():
        create_user("wangjg", ["admin"], password=LOCAL_PASSWORD, name="Break glass")
    return app


def assert_local_account_untouched(app):
    from portal.auth.users import check_password

    record = user(app, "wangjg")
    assert record.source == "local"
    assert record.roles == {"admin"}
    assert record.display_name == "Break glass"
    assert check_password(record, LOCAL_PASSWORD)


def last_sign_in(app):
    from portal.auth.models import LoginEvent

    with app.app_context(), database.connection_context():
        event = LoginEvent.select().order_by(LoginEvent.id.desc()).get()
        return event.backend, event.success, event.reason


def test_directory_sign_in_with_a_local_name_is_refused_and_the_local_password_still_works(make_app, directory):
    app = make(make_app, directory, ["ldap", "local"])
    client = app.test_client()
    response = log_in(client, "wangjg", PASSWORD)  # the directory's person, right password
    assert response.status_code == 403
    assert "本地账号" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    assert last_sign_in(app) == ("ldap", False, "local_account_conflict")
    assert_local_account_untouched(app)

    local_first = app.test_client()
    app.config["PORTAL"]["auth"]["backends"] = ["local", "ldap"]
    assert log_in(local_first, "wangjg", LOCAL_PASSWORD).status_code == 303
    me = local_first.get("/api/v1/me").get_json()
    assert me["username"] == "wangjg" and me["roles"] == ["admin"]


def test_header_sign_in_with_a_local_name_is_refused_with_a_message(make_app, directory):
    app = make(make_app, directory, ["header", "ldap", "local"])
    client = app.test_client()
    environ = {"REMOTE_ADDR": PROXY, "REMOTE_USER": "wangjg@EXAMPLE.COM"}
    response = client.get("/profile", environ_base=environ)
    assert response.status_code == 303  # not signed in: off to the login page
    page = client.get(response.headers["Location"], environ_base=environ)
    assert page.status_code == 200 and "本地账号" in page.get_data(as_text=True)
    assert client.get("/api/v1/me", environ_base=environ).status_code == 401
    assert last_sign_in(app) == ("header", False, "local_account_conflict")
    assert_local_account_untouched(app)


def test_ldap_sync_skips_a_local_account_and_says_so(make_app, directory):
    app = make(make_app, directory, ["ldap"])
    result = app.test_cli_runner().invoke(args=["ldap-sync"])
    assert result.exit_code == 0, result.output
    assert "skipped wangjg: a local account has this user name" in result.output
    assert "lixy: created, +supervisor" in result.output
    assert_local_account_untouched(app)
