"""The base page: sign-in, Chinese first, CSRF, CSP, errors as pages and partials."""

import pytest

from tests.conftest import csrf_token, log_in, log_out


def test_login_page_is_chinese_and_carries_csrf(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "登录督办门户" in html
    assert '<meta name="csrf-token"' in html
    assert "<script>" not in html  # no inline scripts under the CSP


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_supervisor_signs_in_and_sees_home(client, demo):
    response = log_in(client, "supervisor", "demo")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "李秀英，您好" in home
    assert "督办员" in home
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_wrong_password_and_empty_fields(client, demo):
    response = log_in(client, "supervisor", "wrong")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    response = log_in(client, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请输入用户名" in html and "请输入密码" in html
    assert client.get("/").status_code == 303  # still signed out


def test_home_needs_sign_in_and_htmx_gets_hx_redirect(client):
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=/")
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_no_open_redirect_through_next(client, demo):
    token = csrf_token(client)
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]:
        response = client.post(f"/login?next={target}", data={
            "username": "supervisor", "password": "demo", "csrf_token": token})
        assert response.status_code == 303
        assert response.headers["Location"] == "/", target
        log_out(client)
        token = csrf_token(client)


def test_state_change_without_csrf_is_refused(client, demo):
    response = client.post("/login", data={"username": "supervisor", "password": "demo"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_logout_is_post_only_and_clears_session(client, demo):
    log_in(client, "supervisor")
    assert client.get("/logout").status_code == 405
    log_out(client)
    assert client.get("/").status_code == 303


def test_english_switch(client, demo):
    token = csrf_token(client)
    response = client.post("/locale/en", data={"csrf_token": token, "next": "/login"})
    assert response.status_code == 303
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in to the Duban Portal" in html


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 500])
def test_error_pages_full_partial_and_json(app, client, status):
    from werkzeug.exceptions import abort

    @app.get(f"/_fail/{status}")
    def _fail():
        if status == 500:
            raise RuntimeError("boom: internal detail")
        abort(status)

    @app.get(f"/api/v1/_fail/{status}")
    def _fail_api():
        abort(status)

    page = client.get(f"/_fail/{status}")
    html = page.get_data(as_text=True)
    assert page.status_code == status
    assert "<html" in html and f"<h1>{status}</h1>" in html
    assert "Traceback" not in html and "internal detail" not in html

    partial = client.get(f"/_fail/{status}", headers={"HX-Request": "true"})
    assert partial.status_code == status
    assert "<html" not in partial.get_data(as_text=True)
    assert partial.headers["HX-Retarget"] == "#messages"

    api = client.get(f"/api/v1/_fail/{status}")
    assert api.status_code == status
    assert set(api.get_json()["error"]) == {"code", "message", "fields"}


def test_static_htmx_is_vendored(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000]
