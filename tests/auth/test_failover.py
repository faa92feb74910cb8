"""Several directory servers: failover in order, all down, a hung server, StartTLS."""

import socket
import threading

import pytest

from tests.auth.conftest import PASSWORD, ldap_settings
from tests.conftest import log_in, log_out
from tests.servers import free_port

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def signed_in(client):
    return client.get("/api/v1/me").status_code == 200


def test_second_server_is_used_when_the_first_is_stopped(make_app, fresh_directory):
    first, second = fresh_directory(), fresh_directory()
    app = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(first.ldap_uri, second.ldap_uri)})
    client = app.test_client()
    assert log_in(client, "lixy", PASSWORD).status_code == 303
    log_out(client)
    first.stop()
    assert log_in(client, "lixy", PASSWORD).status_code == 303
    assert signed_in(client)
    log_out(client)
    assert log_in(client, "lixy", "wrong").status_code == 422  # the second server checks passwords too


def test_all_servers_down_says_so_and_signed_in_users_keep_working(make_app, fresh_directory):
    first, second = fresh_directory(), fresh_directory()
    app = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(first.ldap_uri, second.ldap_uri)})
    working = app.test_client()
    assert log_in(working, "wangjg", PASSWORD).status_code == 303
    first.stop()
    second.stop()
    newcomer = app.test_client()
    response = log_in(newcomer, "lixy", PASSWORD)
    assert response.status_code == 503
    assert "目录服务暂时不可用" in response.get_data(as_text=True)
    assert not signed_in(newcomer)
    assert working.get("/profile").status_code == 200
    assert working.get("/api/v1/me").get_json()["username"] == "wangjg"


def test_a_hung_server_times_out_and_the_next_one_answers(make_app, directory):
    # Accepts connections and never answers: without timeouts a web worker would hang here.
    port = free_port()
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        settings = ldap_settings(f"ldap://127.0.0.1:{port}", directory.ldap_uri, timeout_seconds=1)
        app = make_app(auth={"backends": ["ldap"], "ldap": settings})
        client = app.test_client()
        assert log_in(client, "lixy", PASSWORD).status_code == 303
        assert accepted, "the hung server was tried first"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_start_tls_with_a_ca_file(make_app, directory):
    settings = ldap_settings(f"ldap://127.0.0.1:{directory.port}", start_tls=True, ca_file=directory.cafile)
    app = make_app(auth={"backends": ["ldap"], "ldap": settings})
    client = app.test_client()
    assert log_in(client, "lixy", PASSWORD).status_code == 303


def test_start_tls_refuses_a_server_it_cannot_verify(make_app, directory, tmp_path):
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_text(open(directory.clientcert).read())  # a certificate, but not the CA that signed slapd's
    settings = ldap_settings(f"ldap://127.0.0.1:{directory.port}", start_tls=True, ca_file=str(other_ca))
    app = make_app(auth={"backends": ["ldap"], "ldap": settings})
    response = log_in(app.test_client(), "lixy", PASSWORD)
    assert response.status_code == 503


@pytest.mark.parametrize("overrides", [
    {"user_base": "ou=nowhere,dc=example,dc=com"},
    {"user_filter": "(uid={username}"},  # unbalanced: a typo in config.toml
    {"bind_password": "not-the-password"},
])
def test_a_misconfigured_directory_is_unavailable_not_a_crash(make_app, directory, overrides, caplog):
    app = make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(directory.ldap_uri, **overrides)})
    response = log_in(app.test_client(), "lixy", PASSWORD)
    assert response.status_code == 503
    assert "目录服务暂时不可用" in response.get_data(as_text=True)
    assert "LDAP" in caplog.text  # the administrator finds the cause in the log
