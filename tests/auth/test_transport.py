"""What the portal tells about itself on the wire: the Secure cookie flag behind a trusted proxy only,
and no server version in the Server header."""

import pytest

from tests.conftest import csrf_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def session_cookie_header(response):
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(make_app):
    app = make_app(auth={"header": {"trusted_proxies": ["127.0.0.1"]}})
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert "Secure" in session_cookie_header(response)


def test_a_forwarded_proto_from_anyone_else_is_ignored(make_app):
    app = make_app(auth={"header": {"trusted_proxies": ["127.0.0.1"]}})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"},
                                     environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert "Secure" not in session_cookie_header(response)
