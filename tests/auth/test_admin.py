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
