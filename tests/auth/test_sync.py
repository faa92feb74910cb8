"""flask --app wsgi ldap-sync: refresh everyone, deactivate the departed, keep overrides."""

import ldap
import pytest

from portal.kernel.db import database
from tests.auth.conftest import PASSWORD, admin_connection, ldap_settings, user
from tests.conftest import log_in

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def server(fresh_directory):
    return fresh_directory()


@pytest.fixture
def app(make_app, server):
    return make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(server.ldap_uri)})


def sync(app):
    result = app.test_cli_runner().invoke(args=["ldap-sync"])
    assert result.exit_code == 0, result.output
    return result.output


def test_first_sync_creates_everyone_once(app):
    output = sync(app)
    assert "lixy: created, +supervisor" in output
    assert "chenjing: created, +handler, +supervisor" in output
    assert "skipped dupe: 2 directory entries share this user name" in output
    assert user(app, "zhaoqiang").roles == set()
    assert user(app, "zhoujie").display_name == "Zhou, Jie (R&D) + QA"
    assert user(app, "dupe") is None
    assert user(app, "portal-reader") is None  # the service account is not a person
    again = sync(app)
    assert "created" not in again and "deactivated" not in again


def test_departed_user_is_deactivated_keeps_history_and_cannot_sign_in(app, server):
    client = app.test_client()
    assert log_in(client, "zhangwei", PASSWORD).status_code == 303
    sync(app)
    conn = admin_connection(server)
    conn.modify_s("cn=handlers,ou=groups,dc=example,dc=com",
                  [(ldap.MOD_DELETE, "member", [b"uid=zhangwei,ou=people,dc=example,dc=com"])])
    conn.delete_s("uid=zhangwei,ou=people,dc=example,dc=com")
    conn.unbind_s()
    output = sync(app)
    assert "zhangwei: deactivated (gone from the directory)" in output
    record = user(app, "zhangwei")
    assert record is not None and not record.active and record.deactivated_at is not None
    assert record.display_name == "张伟"  # the record stays for the items' history
    assert client.get("/profile").status_code == 303  # the open session ends with the account
    assert log_in(client, "zhangwei", PASSWORD).status_code == 422


def test_override_role_survives_sync_and_directory_roles_follow_the_groups(app, server):
    from portal.auth.models import User
    from portal.auth.users import grant_override

    sync(app)
    with app.app_context(), database.connection_context():
        grant_override(User.get(User.username == "zhaoqiang"), "leader")
        grant_override(User.get(User.username == "lixy"), "admin")
    conn = admin_connection(server)
    conn.modify_s("cn=supervisors,ou=groups,dc=example,dc=com",
                  [(ldap.MOD_DELETE, "member", [b"uid=lixy,ou=people,dc=example,dc=com"])])
    conn.modify_s("cn=leaders,ou=groups,dc=example,dc=com",
                  [(ldap.MOD_ADD, "member", [b"uid=lixy,ou=people,dc=example,dc=com"])])
    conn.unbind_s()
    output = sync(app)
    assert "lixy: -supervisor, +leader" in output
    assert user(app, "lixy").roles == {"leader", "admin"}
    assert user(app, "zhaoqiang").roles == {"leader"}


def test_sync_reports_changes_and_a_returning_user_is_active_again(app, server):
    sync(app)
    conn = admin_connection(server)
    conn.modify_s("uid=liuyang,ou=people,dc=example,dc=com",
                  [(ldap.MOD_REPLACE, "departmentNumber", [b"kindergarten"]),
                   (ldap.MOD_REPLACE, "mail", [b"liu.yang@example.com"])])
    conn.unbind_s()
    output = sync(app)
    assert "liuyang: email 'liuyang@example.com' -> 'liu.yang@example.com', department catering -> kindergarten" \
        in output
    assert user(app, "liuyang").department.code == "kindergarten"


def test_sync_with_the_directory_down_fails_loudly_and_changes_nothing(app, server):
    sync(app)
    server.stop()
    result = app.test_cli_runner().invoke(args=["ldap-sync"])
    assert result.exit_code != 0
    assert "the directory is unavailable" in result.output
    assert user(app, "lixy").active


def test_an_empty_answer_deactivates_nobody(make_app, server):
    app = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(server.ldap_uri)})
    sync(app)
    wrong_base = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(
        server.ldap_uri, user_base="ou=groups,dc=example,dc=com")})
    assert "nobody was deactivated" in sync(wrong_base)
    assert user(app, "lixy").active


def test_sync_is_a_plain_function_for_the_worker(app):
    from portal.auth.tasks import sync_directory as ldap_sync

    with app.app_context():
        lines = ldap_sync()
    assert any(line.startswith("wangjg: created") for line in lines)


def test_a_role_lost_in_the_directory_ends_sessions_and_follows(app, server):
    from portal.auth.models import Department, User
    from portal.items.models import Follow
    from tests.notify.conftest import make_item

    client = app.test_client()
    assert log_in(client, "lixy", PASSWORD).status_code == 303
    with app.app_context(), database.connection_context():
        lixy = User.get(User.username == "lixy")
        Department.get_or_create(code="property", defaults={"name": "物业服务中心"})
        item = make_item({"leader": lixy, "supervisor": lixy}, co=())
        Follow.create(user=lixy, item=item)
    assert client.get("/api/v1/me").status_code == 200
    conn = admin_connection(server)
    conn.modify_s("cn=supervisors,ou=groups,dc=example,dc=com",
                  [(ldap.MOD_DELETE, "member", [b"uid=lixy,ou=people,dc=example,dc=com"])])
    conn.unbind_s()
    assert "lixy: -supervisor" in sync(app)
    assert client.get("/api/v1/me").status_code == 401  # the session ended with the role
    with app.app_context(), database.connection_context():
        assert Follow.select().count() == 0
    assert log_in(client, "lixy", PASSWORD).status_code == 303
    assert client.get("/api/v1/me").get_json()["roles"] == []
