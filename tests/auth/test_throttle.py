"""Failed sign-ins are limited per user name and per address; Redis holds the counts when configured."""

import pytest

from portal.db import database
from tests.conftest import csrf_token
from tests.servers import free_port

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def seed(app):
    from portal import demo

    with app.app_context(), database.connection_context():
        demo.seed()


def attempt(client, username, password, address="10.1.1.1"):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def check_limits(app):
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "supervisor", "wrong").status_code == 422
    blocked = attempt(client, "supervisor", "demo")  # even the right password, for this minute
    assert blocked.status_code == 429
    assert "登录失败次数过多，请等待一分钟后再试" in blocked.get_data(as_text=True)
    # Another address cannot use the name either (it is the name that is attacked)...
    assert attempt(client, "supervisor", "demo", address="10.2.2.2").status_code == 429
    # ...but other people sign in as usual.
    assert attempt(client, "leader", "demo", address="10.3.3.3").status_code == 303


def test_per_user_name_in_memory(make_app):
    app = make_app(auth={"login_attempts_per_minute": 5})
    seed(app)
    check_limits(app)


def test_per_address(make_app):
    app = make_app(auth={"login_attempts_per_minute": 3})
    seed(app)
    client = app.test_client()
    for name in ("a", "b", "c"):
        assert attempt(client, name, "x", address="10.9.9.9").status_code == 422
    assert attempt(client, "handler", "demo", address="10.9.9.9").status_code == 429
    assert attempt(client, "handler", "demo", address="10.9.9.10").status_code == 303


def test_a_right_password_clears_the_name_count(make_app):
    app = make_app(auth={"login_attempts_per_minute": 3})
    seed(app)
    client = app.test_client()
    for address in ("10.0.0.1", "10.0.0.2"):
        assert attempt(client, "handler", "wrong", address=address).status_code == 422
    assert attempt(client, "handler", "demo", address="10.0.0.3").status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    for address in ("10.0.0.4", "10.0.0.5"):
        assert attempt(client, "handler", "wrong", address=address).status_code == 422
    assert attempt(client, "handler", "demo", address="10.0.0.6").status_code == 303


def test_with_redis_the_limit_holds_across_web_processes(make_app, redis_server):
    from redis import Redis

    Redis.from_url(redis_server.url).flushdb()
    first = make_app(redis={"url": redis_server.url})
    seed(first)
    check_limits(first)
    # A second app (another worker process) sees the same counts.
    second = make_app(redis={"url": redis_server.url})
    assert attempt(second.test_client(), "supervisor", "demo", address="10.4.4.4").status_code == 429
    assert Redis.from_url(redis_server.url).ttl("portal:login-failures:user:supervisor") > 0


def test_redis_down_fails_open_with_a_warning(make_app, caplog):
    app = make_app(redis={"url": f"redis://127.0.0.1:{free_port()}/0"})
    seed(app)
    client = app.test_client()
    for _ in range(7):
        assert attempt(client, "supervisor", "wrong").status_code == 422
    assert attempt(client, "supervisor", "demo").status_code == 303
    assert "login limiter: Redis unavailable" in caplog.text


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(make_app):
    app = make_app(auth={"login_attempts_per_minute": 2, "header": {"trusted_proxies": ["127.0.0.1"]}})
    seed(app)

    def via_proxy(username, password, client_ip, peer="127.0.0.1"):
        client = app.test_client()
        token = csrf_token(client)
        return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                           headers={"X-Forwarded-For": f"6.6.6.6, {client_ip}"},
                           environ_base={"REMOTE_ADDR": peer})

    for name in ("a", "b"):
        assert via_proxy(name, "x", "10.5.0.1").status_code == 422
    assert via_proxy("handler", "demo", "10.5.0.1").status_code == 429  # that client is blocked
    assert via_proxy("leader", "demo", "10.5.0.2").status_code == 303   # its colleagues are not
    # From an untrusted peer, X-Forwarded-For is the client's own claim and is ignored.
    for name, claimed in (("c", "10.6.0.1"), ("d", "10.6.0.2")):
        assert via_proxy(name, "x", claimed, peer="10.7.7.7").status_code == 422
    assert via_proxy("supervisor", "demo", "10.6.0.9", peer="10.7.7.7").status_code == 429
    from portal.auth.models import LoginEvent

    with app.app_context(), database.connection_context():
        addresses = [e.address for e in LoginEvent.select().order_by(LoginEvent.id)]
    assert addresses[:4] == ["10.5.0.1", "10.5.0.1", "10.5.0.1", "10.5.0.2"]
    assert addresses[4:] == ["10.7.7.7"] * 3

