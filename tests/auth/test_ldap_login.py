"""Signing in against real slapd: passwords, injection, roles and departments."""

import ldap
import pytest

from tests.auth.conftest import PASSWORD, admin_connection, ldap_settings, user
from tests.conftest import log_in, log_out

# The directory logic does not depend on the database; one end-to-end test runs on PostgreSQL.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(ldap_app):
    return ldap_app.test_client()


def signed_in_as(client):
    me = client.get("/api/v1/me")
    return me.get_json()["username"] if me.status_code == 200 else None


def test_right_password_signs_in_and_creates_the_user(client, ldap_app):
    response = log_in(client, "wangjg", PASSWORD)
    assert response.status_code == 303
    assert signed_in_as(client) == "wangjg"
    me = client.get("/api/v1/me").get_json()
    assert me["display_name"] == "王建国"
    assert me["email"] == "wangjg@example.com"
    assert me["roles"] == ["leader"]
    assert me["department"] == {"code": "office", "name": "office"}
    record = user(ldap_app, "wangjg")
    assert record.source == "ldap" and record.last_login_at is not None
    assert "王建国" in client.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize("password", ["wrong", "secret#2026", PASSWORD + " "])
def test_wrong_password_is_refused(client, password):
    response = log_in(client, "lixy", password)
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


@pytest.mark.parametrize("password", ["", " ", "\t  "])
def test_empty_or_blank_password_is_refused_before_any_bind(client, ldap_app, password):
    response = log_in(client, "lixy", password)
    assert response.status_code == 422
    assert "请输入密码" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_directory_refuses_blank_password_itself(ldap_app):
    # Many LDAP servers (Active Directory among them) take an empty password as an
    # unauthenticated bind that "succeeds"; the directory layer never gets that far.
    from portal.auth.directory import Directory

    ldap_directory = Directory(ldap_app.config["PORTAL"]["auth"]["ldap"])
    assert ldap_directory.authenticate("lixy", "") == (None, "empty_password")
    assert ldap_directory.authenticate("lixy", "   ") == (None, "empty_password")


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, ldap_app):
    response = log_in(client, "nobody", PASSWORD)
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert user(ldap_app, "nobody") is None


@pytest.mark.parametrize("username", ["*", "*)(uid=*", "admin)(|(uid=*", "wangjg)(uid=*", "w*",
                                      "*)(|(objectClass=*)", "wangjg\\2a", "(uid=wangjg)"])
def test_filter_injection_finds_nobody(client, ldap_app, username):
    response = log_in(client, username, PASSWORD)
    assert response.status_code == 422
    assert signed_in_as(client) is None
    from portal.auth.models import User
    from portal.kernel.db import database

    with ldap_app.app_context(), database.connection_context():
        assert User.select().count() == 0


def test_several_entries_with_one_name_are_refused(client):
    response = log_in(client, "dupe", PASSWORD)
    assert response.status_code == 422
    assert signed_in_as(client) is None


@pytest.mark.parametrize("username, roles, department", [
    ("lixy", ["supervisor"], "office"),
    ("zhangwei", ["handler"], "property"),
    ("chenjing", ["handler", "supervisor"], "commute"),  # in two groups
    ("zhaoqiang", [], "retirees"),                        # in no group
    ("liuyang", ["handler"], "catering"),                 # a non-role group gives nothing
    ("sunlei", ["admin"], "office"),
    ("zhoujie", ["handler"], "property"),                 # DN with , + ( ) & in it
])
def test_roles_and_department_come_from_the_directory(client, username, roles, department):
    assert log_in(client, username, PASSWORD).status_code == 303
    me = client.get("/api/v1/me").get_json()
    assert me["roles"] == roles
    assert me["department"]["code"] == department


def test_special_characters_in_the_dn_and_display_name(client):
    log_in(client, "zhoujie", PASSWORD)
    assert client.get("/api/v1/me").get_json()["display_name"] == "Zhou, Jie (R&D) + QA"


def test_new_department_is_created_once_and_keeps_an_admins_name(client, ldap_app):
    from portal.auth.models import Department
    from portal.kernel.db import database

    log_in(client, "wujun", PASSWORD)
    with ldap_app.app_context(), database.connection_context():
        department = Department.get(Department.code == "security")
        assert department.name == "security"
        department.name = "保卫科"
        department.save()
    log_out(client)
    log_in(client, "wujun", PASSWORD)
    with ldap_app.app_context(), database.connection_context():
        assert [d.name for d in Department.select().where(Department.code == "security")] == ["保卫科"]


def test_role_change_in_the_directory_is_picked_up_at_next_login(make_app, fresh_directory):
    server = fresh_directory()
    app = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(server.ldap_uri)})
    client = app.test_client()
    log_in(client, "zhangwei", PASSWORD)
    assert client.get("/api/v1/me").get_json()["roles"] == ["handler"]
    conn = admin_connection(server)
    dn = b"uid=zhangwei,ou=people,dc=example,dc=com"
    conn.modify_s("cn=handlers,ou=groups,dc=example,dc=com", [(ldap.MOD_DELETE, "member", [dn])])
    conn.modify_s("cn=supervisors,ou=groups,dc=example,dc=com", [(ldap.MOD_ADD, "member", [dn])])
    conn.modify_s(dn.decode(), [(ldap.MOD_REPLACE, "departmentNumber", [b"office"]),
                                (ldap.MOD_REPLACE, "cn", ["张伟（调任）".encode()])])
    conn.unbind_s()
    log_out(client)
    log_in(client, "zhangwei", PASSWORD)
    me = client.get("/api/v1/me").get_json()
    assert me["roles"] == ["supervisor"]
    assert me["department"]["code"] == "office"
    assert me["display_name"] == "张伟（调任）"


def test_ldap_then_local_backend(make_app, directory):
    from portal.auth.users import create_user
    from portal.kernel.db import database

    app = make_app(auth={"backends": ["ldap", "local"], "ldap": ldap_settings(directory.ldap_uri)})
    with app.app_context(), database.connection_context():
        create_user("breakglass", ["admin"], password="local-pass")
    client = app.test_client()
    assert log_in(client, "breakglass", "local-pass").status_code == 303  # unknown to LDAP, known locally
    assert signed_in_as(client) == "breakglass"
    log_out(client)
    assert log_in(client, "wangjg", PASSWORD).status_code == 303
    assert signed_in_as(client) == "wangjg"
