"""/admin/: the index, users with roles and overrides, departments."""

import pytest

from portal.kernel.db import database
from tests.conftest import csrf_token, log_in

# Database-independent behaviour runs on SQLite; storage and lists run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def admin(sign_in, demo):
    return sign_in("admin")


def user_id(app, username):
    from portal.auth.models import User

    with app.app_context(), database.connection_context():
        return User.get(User.username == username).id


def roles_of(app, username):
    from portal.auth.models import User

    with app.app_context(), database.connection_context():
        return {(r.role, r.origin) for r in User.get(User.username == username).role_rows}


@SQLITE_ONLY
def test_only_admins_enter(sign_in, demo):
    client = sign_in("supervisor")
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/users").status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/admin/users/1/overrides", data={"role": "admin", "csrf_token": token}).status_code == 403


@SQLITE_ONLY
def test_index_links_only_to_pages_that_exist(app, admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in html and 'href="/admin/departments"' in html
    for endpoint, label in (("calendar.admin", "节假日日历"), ("notify.failures", "通知发送失败")):
        assert (label in html) == (endpoint in app.view_functions)
    assert "管理" in admin.get("/profile").get_data(as_text=True)  # the nav links to it


def test_users_page_lists_roles_department_source_and_last_login(admin):
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "李秀英" in html and "综合办公室" in html and "本地账号" in html
    assert "督办员" in html and "创建时授予" in html
    found = admin.get("/admin/users?q=物业", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张伟" in found and "李秀英" not in found and "<html" not in found


def test_users_page_query_count_does_not_grow_with_rows(app, admin):
    from portal.auth.users import create_user
    from tests.querycount import fresh_request_queries

    def count_queries():
        assert admin.get("/admin/users").status_code == 200
        return len(fresh_request_queries(admin, "/admin/users"))

    before = count_queries()
    with app.app_context(), database.connection_context():
        for n in range(15):
            create_user(f"extra{n}", ["handler"], department_code="catering")
    assert count_queries() == before


def test_override_is_added_shown_and_removed(app, admin):
    handler = user_id(app, "handler")
    token = csrf_token(admin, "/admin/users")
    row = admin.post(f"/admin/users/{handler}/overrides", data={"role": "supervisor", "csrf_token": token},
                     headers={"HX-Request": "true"})
    assert row.status_code == 200
    html = row.get_data(as_text=True)
    assert html.strip().startswith('<tr id="user-'), html
    assert "督办员 <span class=\"muted\">(管理员追加)</span>" in html, html
    assert roles_of(app, "handler") == {("handler", "local"), ("supervisor", "override")}
    plain = admin.post(f"/admin/users/{handler}/overrides/supervisor/delete", data={"csrf_token": token})
    assert plain.status_code == 303
    assert roles_of(app, "handler") == {("handler", "local")}
    # Removing an override never touches the roles the user has from elsewhere.
    admin.post(f"/admin/users/{handler}/overrides/handler/delete", data={"csrf_token": token})
    assert roles_of(app, "handler") == {("handler", "local")}


@SQLITE_ONLY
def test_unknown_role_is_refused_with_a_message(app, admin):
    token = csrf_token(admin, "/admin/users")
    response = admin.post(f"/admin/users/{user_id(app, 'handler')}/overrides",
                          data={"role": "emperor", "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "请选择一个角色" in response.get_data(as_text=True)
    assert admin.post("/admin/users/99999/overrides", data={"role": "admin", "csrf_token": token}).status_code == 404


@SQLITE_ONLY
def test_departments_can_be_named(app, admin):
    from portal.auth.models import Department

    with app.app_context(), database.connection_context():
        department = Department.create(code="security", name="security")
    token = csrf_token(admin, "/admin/departments")
    response = admin.post(f"/admin/departments/{department.id}", data={"name": "  保卫科 ", "csrf_token": token})
    assert response.status_code == 303
    assert "保卫科" in admin.get("/admin/departments").get_data(as_text=True)
    response = admin.post(f"/admin/departments/{department.id}", data={"name": " ", "csrf_token": token})
    assert response.status_code == 422 and "不超过 128 个字" in response.get_data(as_text=True)
    response = admin.post(f"/admin/departments/{department.id}", data={"name": "保卫科\r\n\u202e", "csrf_token": token})
    assert response.status_code == 422 and "单行" in response.get_data(as_text=True)


def test_sign_in_log_shows_attempts_and_filters_failures(app, client, demo):
    log_in(client, "handler", "Not-The-Password")
    log_in(client, "admin", "demo")
    html = client.get("/admin/sign-ins").get_data(as_text=True)
    assert "密码错误" in html and "登录成功" in html and "Not-The-Password" not in html
    failed = client.get("/admin/sign-ins?failed=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "密码错误" in failed and "登录成功" not in failed and "<html" not in failed
    only_admin = client.get("/admin/sign-ins?username=admin").get_data(as_text=True)
    assert "密码错误" not in only_admin


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": client.token, **data}, csrf_header=False)


def test_an_admin_creates_a_local_user_who_signs_in(admin, app):
    from portal.auth.models import LoginEvent, User

    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert 'name="admin_password"' in page  # the admin confirms it is them (auth/reauth)
    bad = _post(admin, "/admin/users/new", username="bad name!", display_name="", email="nope", roles="king",
                department="nowhere", password="short", password_repeat="short", admin_password="wrong")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for field in ("username", "display_name", "email", "roles", "department", "password", "admin_password"):
        assert f'id="{field}-error"' in text, field
    taken = _post(admin, "/admin/users/new", username="handler", display_name="x", roles="handler",
                  password="longenough1", password_repeat="longenough1", admin_password="demo")
    assert taken.status_code == 422 and "该用户名已被使用" in taken.get_data(as_text=True)
    differ = _post(admin, "/admin/users/new", username="wang", display_name="王芳", roles="handler",
                   password="longenough1", password_repeat="longenough2", admin_password="demo")
    assert differ.status_code == 422 and 'id="password_repeat-error"' in differ.get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert not User.select().where(User.username == "wang").exists()
    made = _post(admin, "/admin/users/new", username="wang", display_name="王芳", email="wang@example.org",
                 roles="handler", department="property", password="longenough1", password_repeat="longenough1",
                 admin_password="demo")
    assert made.status_code == 303
    with app.app_context(), database.connection_context():
        wang = User.get(User.username == "wang")
        assert wang.source == "local" and wang.roles == {"handler"} and wang.department.code == "property"
        assert LoginEvent.get(LoginEvent.username == "wang", LoginEvent.backend == "admin").reason == "created_by_admin"
    client = app.test_client()
    assert log_in(client, "wang", "longenough1").status_code in (302, 303)
    assert client.get("/").status_code == 200
    assert "管理员创建账号" in admin.get("/admin/sign-ins?username=wang").get_data(as_text=True)


def test_an_admin_deactivates_a_user_and_resets_a_local_password(admin, sign_in, app):
    from portal.auth.models import LoginEvent, User

    handler = sign_in("handler")
    target = user_id(app, "handler")
    assert _post(admin, f"/admin/users/{target}/password", password="newpassword1", password_repeat="newpassword1",
                 admin_password="wrong").status_code == 422
    assert _post(admin, f"/admin/users/{target}/password", password="newpassword1",
                 password_repeat="other").status_code == 422
    reset = _post(admin, f"/admin/users/{target}/password", password="newpassword1", password_repeat="newpassword1",
                  admin_password="demo")
    assert reset.status_code == 303
    assert handler.get("/").status_code in (302, 303)  # their session ended
    client = app.test_client()
    assert log_in(client, "handler", "newpassword1").status_code in (302, 303) and client.get("/").status_code == 200
    assert _post(admin, f"/admin/users/{user_id(app, 'admin')}/deactivate").status_code == 409  # not oneself
    assert _post(admin, f"/admin/users/{target}/deactivate").status_code == 303
    assert client.get("/").status_code in (302, 303)
    with app.app_context(), database.connection_context():
        assert not User.get_by_id(target).active
        reasons = {e.reason for e in LoginEvent.select().where(LoginEvent.username == "handler",
                                                               LoginEvent.backend == "admin")}
        assert reasons == {"password_reset_by_admin", "deactivated_by_admin"}
    assert sign_in("supervisor").post(f"/admin/users/{target}/deactivate").status_code == 403
