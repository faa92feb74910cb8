"""Sessions end on the server: a cookie saved before sign-out, a password or role change, a sync or an
admin's "sign out everywhere" no longer opens anything. API tokens ask for the password and may expire."""

import datetime

import pytest

from portal.kernel.db import database
from tests.conftest import bearer, csrf_token, log_in, log_out, with_demo_people

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def saved_cookie(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A new browser presenting a session cookie copied earlier."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_cookie_saved_before_sign_out_opens_nothing_afterwards(app, demo, sign_in):
    client = sign_in("leader", new_session=True)
    cookie = saved_cookie(client)
    assert replay(app, cookie).get("/api/v1/me").status_code == 200
    log_out(client)
    thief = replay(app, cookie)
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/profile").status_code == 303
    # ...nor can it make itself a token that outlives the session.
    created = thief.post("/profile/tokens", data={"name": "x", "password": "demo",
                                                  "csrf_token": csrf_token(thief, "/login")})
    assert created.status_code in (302, 303, 400)


def test_creating_a_token_asks_for_the_password_again(demo, sign_in):
    client = sign_in("leader", new_session=True)
    token = csrf_token(client, "/profile")
    missing = client.post("/profile/tokens", data={"name": "脚本", "csrf_token": token})
    assert missing.status_code == 422
    assert "请输入您的密码" in missing.get_data(as_text=True)
    wrong = client.post("/profile/tokens", data={"name": "脚本", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 422 and "密码不正确" in wrong.get_data(as_text=True)
    right = client.post("/profile/tokens", data={"name": "脚本", "password": "demo", "csrf_token": token})
    assert right.status_code == 201


def user_id(app, username):
    from portal.auth.models import User

    with app.app_context(), database.connection_context():
        return User.get(User.username == username).id


def test_sign_out_ends_only_that_browser(demo, sign_in):
    first, second = sign_in("leader", new_session=True), sign_in("leader", new_session=True)
    log_out(first)
    assert first.get("/api/v1/me").status_code == 401
    assert second.get("/api/v1/me").status_code == 200


def test_a_role_change_by_an_admin_ends_the_persons_sessions(app, demo, sign_in):
    handler = sign_in("handler", new_session=True)
    admin = sign_in("admin", new_session=True)
    target = user_id(app, "handler")
    response = admin.post(f"/admin/users/{target}/overrides",
                          data={"role": "supervisor", "csrf_token": csrf_token(admin, "/admin/users")})
    assert response.status_code in (200, 303)
    assert handler.get("/api/v1/me").status_code == 401
    again = sign_in("handler", new_session=True)
    assert again.get("/api/v1/me").get_json()["roles"] == ["handler", "supervisor"]
    admin.post(f"/admin/users/{target}/overrides/supervisor/delete",
               data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert again.get("/api/v1/me").status_code == 401
    assert admin.get("/api/v1/me").status_code == 200  # the admin's own session is untouched


def test_an_admin_signs_someone_out_everywhere_tokens_included(app, demo, sign_in):
    leader = sign_in("leader", new_session=True)
    created = leader.post("/profile/tokens", data={"name": "脚本", "password": "demo",
                                                   "csrf_token": csrf_token(leader, "/profile")})
    token = created.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    admin = sign_in("admin", new_session=True)
    page = admin.get("/admin/users?q=leader").get_data(as_text=True)
    assert "全部退出登录" in page
    response = admin.post(f"/admin/users/{user_id(app, 'leader')}/sign-out",
                          data={"csrf_token": csrf_token(admin, "/admin/users")}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "结束 1 个会话，撤销 1 个 API 令牌" in response.get_data(as_text=True)
    assert leader.get("/profile").status_code == 303
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    # Only admins may do it.
    handler = sign_in("handler", new_session=True)
    assert handler.post(f"/admin/users/{user_id(app, 'admin')}/sign-out",
                        data={"csrf_token": csrf_token(handler, "/profile")}).status_code == 403


@SQLITE_ONLY
def test_sign_out_my_other_sessions_keeps_this_one(demo, sign_in):
    here, laptop, phone = (sign_in("leader", new_session=True) for _ in range(3))
    page = here.get("/profile").get_data(as_text=True)
    assert "登录位置" in page and "本浏览器" in page and page.count("<code>127.0.0.1</code>") == 3
    response = here.post("/profile/sessions/others/revoke", data={"csrf_token": csrf_token(here, "/profile")},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已退出其他会话：2 个" in response.get_data(as_text=True)
    assert here.get("/api/v1/me").status_code == 200
    assert laptop.get("/api/v1/me").status_code == 401 and phone.get("/api/v1/me").status_code == 401


@SQLITE_ONLY
def test_a_password_change_ends_the_other_sessions(app, demo, sign_in):
    here, elsewhere = sign_in("handler", new_session=True), sign_in("handler", new_session=True)
    token = csrf_token(here, "/profile")
    wrong = here.post("/profile/password", data={"current_password": "nope", "new_password": "N3w-passw0rd",
                                                 "repeat_password": "N3w-passw0rd", "csrf_token": token})
    assert wrong.status_code == 422 and "密码不正确" in wrong.get_data(as_text=True)
    short = here.post("/profile/password", data={"current_password": "demo", "new_password": "short",
                                                 "repeat_password": "short", "csrf_token": token})
    assert short.status_code == 422 and "至少 8 个字符" in short.get_data(as_text=True)
    assert elsewhere.get("/api/v1/me").status_code == 200
    changed = here.post("/profile/password", data={"current_password": "demo", "new_password": "N3w-passw0rd",
                                                   "repeat_password": "N3w-passw0rd", "csrf_token": token})
    assert changed.status_code == 303
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert log_in(app.test_client(), "handler", "demo").status_code == 422
    assert log_in(app.test_client(), "handler", "N3w-passw0rd").status_code == 303


@SQLITE_ONLY
def test_a_session_idle_too_long_ends_on_the_server_too(make_app, sign_in):
    """Even a cookie whose own clock was kept fresh (a replayed copy) dies with the server's record."""
    from portal.auth.models import UserSession
    from portal.kernel.db import utcnow

    app = with_demo_people(make_app(app={"session_idle_minutes": 30}))
    client = sign_in("handler", app=app, new_session=True)
    with app.app_context(), database.connection_context():
        UserSession.update(last_seen_at=utcnow() - datetime.timedelta(minutes=32)).execute()
    assert client.get("/api/v1/me").status_code == 401


def new_token(client, **form):
    data = {"name": "脚本", "password": "demo", "csrf_token": csrf_token(client, "/profile"), **form}
    response = client.post("/profile/tokens", data=data)
    return response, (response.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
                      if response.status_code == 201 else None)


def test_tokens_expire_and_show_their_expiry_and_last_use(app, demo, sign_in):
    from portal.auth.models import ApiToken

    client = sign_in("leader", new_session=True)
    response, token = new_token(client, expires="30")
    assert response.status_code == 201
    other = app.test_client()
    assert other.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with app.app_context(), database.connection_context():
        row = ApiToken.get()
        assert row.last_used_at is not None
        assert 29 <= (row.expires_at - row.created_at).days <= 30
        row.expires_at = row.created_at - datetime.timedelta(seconds=1)
        row.save()
    expired = other.get("/api/v1/me", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.get_json()["error"] == {"code": "invalid_token", "message": "API 令牌已过期。", "fields": {}}
    page = client.get("/profile").get_data(as_text=True)
    assert "已过期" in page and "有效期至" in page and "最近使用" in page


@SQLITE_ONLY
def test_token_expiry_choices_and_their_checks(app, demo, sign_in):
    from portal.auth.models import ApiToken

    client = sign_in("leader", new_session=True)
    assert new_token(client, expires="never")[0].status_code == 201
    assert new_token(client, expires="date", expires_on="2099-13-01")[0].status_code == 422
    too_far, _ = new_token(client, expires="date", expires_on="2099-01-01")
    assert too_far.status_code == 422 and "十年以内" in too_far.get_data(as_text=True)
    past, _ = new_token(client, expires="date", expires_on="2020-01-01")
    assert past.status_code == 422
    assert new_token(client, expires="forever")[0].status_code == 422
    day = datetime.date.today() + datetime.timedelta(days=10)
    assert new_token(client, expires="date", expires_on=day.isoformat())[0].status_code == 201
    with app.app_context(), database.connection_context():
        expiries = [t.expires_at for t in ApiToken.select().order_by(ApiToken.id)]
    assert expiries[0] is None
    # The end of that day in Asia/Shanghai is 16:00 UTC of the same date.
    assert expiries[1] == datetime.datetime.combine(day, datetime.time(16, 0))


@SQLITE_ONLY
def test_wrong_passwords_when_creating_tokens_meet_the_limiter(make_app, sign_in):

    app = with_demo_people(make_app(auth={"login_attempts_per_minute": 3}))
    client = sign_in("leader", app=app, new_session=True)
    for _ in range(3):
        assert new_token(client, password="guess")[0].status_code == 422
    assert new_token(client, password="demo")[0].status_code == 429


@SQLITE_ONLY
def test_cli_tokens_take_an_expiry(app, demo):
    from portal.auth.models import ApiToken

    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-token", "handler", "--expires", "90"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert runner.invoke(args=["create-token", "handler", "--expires", "2020-01-01"]).exit_code != 0
    assert runner.invoke(args=["create-token", "handler", "--expires", "soon"]).exit_code != 0
    with app.app_context(), database.connection_context():
        row = ApiToken.get()
        assert 89 <= (row.expires_at - row.created_at).days <= 90


@SQLITE_ONLY
def test_a_remember_me_cookie_is_judged_by_the_same_server_side_session(app, demo, sign_in):
    """The portal sets no remember-me cookie, but one forged or kept from before names a session too:
    without a live one (an old-style bare user id, or a revoked session) it signs nobody in."""
    from flask_login.utils import encode_cookie

    client = sign_in("leader", new_session=True)
    with client.session_transaction() as session:
        live_id = session["_user_id"]
    assert ":" in live_id
    log_out(client)
    for remembered in (live_id, live_id.split(":")[0]):
        with app.test_request_context():
            value = encode_cookie(remembered)
        browser = app.test_client()
        browser.set_cookie("remember_token", value)
        assert browser.get("/api/v1/me").status_code == 401


@SQLITE_ONLY
def test_deactivation_by_the_sync_revokes_the_sessions(app, demo, sign_in):
    from portal.auth.models import User, UserSession
    from portal.auth.users import deactivate

    client = sign_in("handler", new_session=True)
    handler = user_id(app, "handler")
    with app.app_context(), database.connection_context():
        deactivate(User.get_by_id(handler))
        assert [s.revoked_reason for s in UserSession.select().where(UserSession.user == handler)] == ["deactivated"]
    assert client.get("/api/v1/me").status_code == 401


@SQLITE_ONLY
def test_guessing_the_current_password_meets_the_limiter(make_app, sign_in):

    app = with_demo_people(make_app(auth={"login_attempts_per_minute": 2}))
    client = sign_in("handler", app=app, new_session=True)
    token = csrf_token(client, "/profile")
    form = {"new_password": "N3w-passw0rd", "repeat_password": "N3w-passw0rd", "csrf_token": token}
    for guess in ("one", "two"):
        assert client.post("/profile/password", data={**form, "current_password": guess}).status_code == 422
    assert client.post("/profile/password", data={**form, "current_password": "demo"}).status_code == 429
