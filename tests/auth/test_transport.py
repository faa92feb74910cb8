"""What the portal tells about itself on the wire: the Secure cookie flag behind a trusted proxy only,
and no server version in the Server header."""

import pytest

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def session_cookie_header(response):
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


@SQLITE_ONLY
def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(make_app):
    app = make_app(auth={"header": {"trusted_proxies": ["127.0.0.1"]}})
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert "Secure" in session_cookie_header(response)


@SQLITE_ONLY
def test_a_forwarded_proto_from_anyone_else_is_ignored(make_app):
    app = make_app(auth={"header": {"trusted_proxies": ["127.0.0.1"]}})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"},
                                     environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert "Secure" not in session_cookie_header(response)


def test_gunicorn_names_no_version(gunicorn):
    """The production server (deploy/duban-web.service) sends a bare "gunicorn", once: no version.

    The application adds no Server header of its own (gunicorn would send it as a second one).
    """
    import urllib.request

    server = gunicorn()
    server.flask("init-db")
    server.start()
    with urllib.request.urlopen(server.url + "/login", timeout=10) as response:
        headers = response.headers.get_all("Server")
    assert headers == ["gunicorn"]
