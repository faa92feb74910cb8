"""Personal API tokens, /api/v1/me, the profile page, sessions and the audit log."""

import time

import pytest

from portal.kernel.db import database
from tests.conftest import bearer, csrf_token, log_in, with_demo_people

# Database-independent behaviour runs on SQLite; storage and lists run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def token_from_cli(app, username):
    result = app.test_cli_runner().invoke(args=["create-token", username])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_cli_token_authenticates_the_api_and_is_stored_hashed(app, client, demo):
    from portal.auth.models import ApiToken

    token = token_from_cli(app, "handler")
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"username": "handler", "display_name": "张伟", "email": "",
                                   "roles": ["handler"],
                                   "department": {"code": "property", "name": "物业服务中心"}}
    assert client.get_cookie("session") is None  # a token never starts a session
    with app.app_context(), database.connection_context():
        row = ApiToken.get()
        assert token not in (row.token_hash, row.prefix) and row.last_used_at is not None


@SQLITE_ONLY
def test_cli_refuses_an_unknown_user(app, demo):
    result = app.test_cli_runner().invoke(args=["create-token", "nobody"])
    assert result.exit_code != 0 and "no active user nobody" in result.output


@SQLITE_ONLY
@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer dbp_" + "x" * 43, "Bearer "])
def test_bad_tokens_get_401_json(client, demo, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] in ("invalid_token", "unauthorized")


@SQLITE_ONLY
def test_a_bad_token_wins_over_a_session_cookie(client, demo):
    log_in(client, "supervisor", "demo")
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers=bearer("dbp_forged"))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "API 令牌无效或已被撤销。"


@SQLITE_ONLY
def test_tokens_work_only_under_api(app, client, demo):
    token = token_from_cli(app, "handler")
    assert client.get("/profile", headers=bearer(token)).status_code == 303  # pages need a session


def test_profile_creates_shows_once_lists_and_revokes(app, client, demo):
    from portal.auth.models import ApiToken

    log_in(client, "leader", "demo")
    page = client.get("/profile").get_data(as_text=True)
    assert "王建国" in page and "领导" in page and "本地账号" in page
    created = client.post("/profile/tokens", data={"name": "报表脚本", "password": "demo",
                                                   "csrf_token": csrf_token(client, "/profile")})
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    token = html.split('<code class="token" id="new-token">')[1].split("</code>")[0]
    assert "只显示这一次" in html and "报表脚本" in html
    assert token not in client.get("/profile").get_data(as_text=True)  # shown once
    other = app.test_client()
    assert other.get("/api/v1/me", headers=bearer(token)).get_json()["username"] == "leader"
    with app.app_context(), database.connection_context():
        token_id = ApiToken.get().id
    revoked = client.post(f"/profile/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/profile")},
                          headers={"HX-Request": "true"})
    assert revoked.status_code == 200 and "已撤销" in revoked.get_data(as_text=True)
    assert other.get("/api/v1/me", headers=bearer(token)).status_code == 401


@SQLITE_ONLY
def test_nobody_revokes_someone_elses_token(app, client, demo):
    from portal.auth.models import ApiToken

    token = token_from_cli(app, "handler")
    log_in(client, "leader", "demo")
    with app.app_context(), database.connection_context():
        token_id = ApiToken.get().id
    response = client.post(f"/profile/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 404
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


@SQLITE_ONLY
def test_profile_is_linked_from_the_user_menu(client, demo):
    log_in(client, "supervisor", "demo")
    assert 'href="/profile"' in client.get("/profile").get_data(as_text=True)


@SQLITE_ONLY
def test_a_deactivated_users_token_stops_working(app, client, demo):
    from portal.auth.models import User
    from portal.auth.users import deactivate

    token = token_from_cli(app, "handler")
    with app.app_context(), database.connection_context():
        deactivate(User.get(User.username == "handler"))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


@SQLITE_ONLY
def test_session_ends_after_the_idle_timeout(make_app, sign_in):
    from portal import demo

    app = make_app(app={"session_idle_minutes": 30})
    with app.app_context(), database.connection_context():
        demo.seed()
    client = sign_in("supervisor", app=app)
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 29 * 60
    assert client.get("/profile").status_code == 200  # still within the window, which restarts
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/profile")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    assert "由于长时间未操作" in client.get("/login").get_data(as_text=True)


@SQLITE_ONLY
def test_polling_by_an_open_tab_does_not_keep_an_idle_session_alive(make_app, sign_in):
    app = with_demo_people(make_app(app={"session_idle_minutes": 30}))
    client = sign_in("handler", app=app)
    background = {"HX-Request": "true", "X-Portal-Background": "1"}
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 29 * 60
    assert client.get("/notifications/badge", headers=background).status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] -= 2 * 60  # the poll did not count as activity: now 31 minutes idle
    response = client.get("/notifications/badge", headers=background)
    assert response.headers["HX-Redirect"].startswith("/login")


@SQLITE_ONLY
def test_login_renews_the_session(client, demo):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, "supervisor", "demo")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_audit_log_records_every_attempt_without_the_password(app, client, demo):
    from portal.auth.models import LoginEvent

    log_in(client, "supervisor", "Wr0ng-Pa55!")
    log_in(client, "ghost", "Gh0st-Pa55!")
    log_in(client, "supervisor", "demo")
    with app.app_context(), database.connection_context():
        rows = list(LoginEvent.select().order_by(LoginEvent.id).dicts())
    assert [(r["username"], r["backend"], r["success"], r["reason"]) for r in rows] == [
        ("supervisor", "local", False, "wrong_password"),
        ("ghost", "", False, "unknown_user"),
        ("supervisor", "local", True, "ok"),
    ]
    assert all(r["address"] == "127.0.0.1" and r["at"] is not None for r in rows)
    dumped = repr(rows)
    assert "Wr0ng-Pa55!" not in dumped and "Gh0st-Pa55!" not in dumped and "'demo'" not in dumped
