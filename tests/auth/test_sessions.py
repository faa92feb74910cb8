"""Sessions end on the server: a cookie saved before sign-out, a password or role change, a sync or an
admin's "sign out everywhere" no longer opens anything. API tokens ask for the password and may expire."""

import datetime

import pytest

from portal.db import database
from tests.conftest import AuthActions, csrf_token

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def signed_in(app, username="leader", password="demo"):
    client = app.test_client()
    response = AuthActions(client).login(username, password)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def saved_cookie(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A new browser presenting a session cookie copied earlier."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_cookie_saved_before_sign_out_opens_nothing_afterwards(app, demo):
    client = signed_in(app)
    cookie = saved_cookie(client)
    assert replay(app, cookie).get("/api/v1/me").status_code == 200
    AuthActions(client).logout()
    thief = replay(app, cookie)
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/profile").status_code == 303
    # ...nor can it make itself a token that outlives the session.
    created = thief.post("/profile/tokens", data={"name": "x", "password": "demo",
                                                  "csrf_token": csrf_token(thief, "/login")})
    assert created.status_code in (302, 303, 400)


def test_creating_a_token_asks_for_the_password_again(app, demo):
    client = signed_in(app)
    token = csrf_token(client, "/profile")
    missing = client.post("/profile/tokens", data={"name": "脚本", "csrf_token": token})
    assert missing.status_code == 422
    assert "请输入您的密码" in missing.get_data(as_text=True)
    wrong = client.post("/profile/tokens", data={"name": "脚本", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 422 and "密码不正确" in wrong.get_data(as_text=True)
    right = client.post("/profile/tokens", data={"name": "脚本", "password": "demo", "csrf_token": token})
    assert right.status_code == 201
