"""Failed sign-ins are limited per name and address, per address and per name; Redis or the database count."""

import pytest

from portal.kernel.db import database
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
    """Five failures for one name from one address: that pair waits; the owner elsewhere and others do not."""
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "supervisor", "wrong").status_code == 422
    blocked = attempt(client, "supervisor", "demo")  # even the right password, for the delay
    assert blocked.status_code == 429
    assert "登录失败次数过多，请等待一分钟后再试" in blocked.get_data(as_text=True)
    # The owner at another address is not locked out by someone guessing elsewhere...
    assert attempt(app.test_client(), "supervisor", "demo", address="10.2.2.2").status_code == 303
    # ...and other people sign in as usual.
    assert attempt(app.test_client(), "leader", "demo", address="10.3.3.3").status_code == 303


def test_per_user_name_and_address_without_redis(make_app):
    app = make_app(auth={"login_attempts_per_minute": 5})
    seed(app)
    check_limits(app)


def age_failures(app, seconds):
    """Move every logged attempt ``seconds`` into the past, as if the clock had run on."""
    import datetime

    from portal.auth.models import LoginEvent

    with app.app_context(), database.connection_context():
        for row in LoginEvent.select():
            row.at -= datetime.timedelta(seconds=seconds)
            row.save(only=[LoginEvent.at])


def test_delays_grow_with_each_further_failure(make_app):
    app = make_app(auth={"login_attempts_per_minute": 3, "limiter": {"delay_seconds": 60}})
    seed(app)
    client = app.test_client()
    for _ in range(3):
        assert attempt(client, "handler", "wrong").status_code == 422
    assert attempt(client, "handler", "wrong").status_code == 429
    age_failures(app, 61)                      # the first wait (60 s) is over: one more try
    assert attempt(client, "handler", "wrong").status_code == 422
    age_failures(app, 61)                      # the second wait is 120 s
    refused = attempt(client, "handler", "demo")
    assert refused.status_code == 429 and "请等待 1 分钟" not in refused.get_data(as_text=True)
    age_failures(app, 60)
    assert attempt(client, "handler", "demo").status_code == 303


def test_per_address_a_higher_bound_for_everyone_behind_it(make_app):
    app = make_app(auth={"login_attempts_per_minute": 3, "limiter": {"address_failures": 6}})
    seed(app)
    client = app.test_client()
    for name in ("a", "b", "c", "d", "e"):
        assert attempt(client, name, "x", address="10.9.9.9").status_code == 422
    # Five failures under five names: colleagues behind the same NAT still sign in.
    assert attempt(app.test_client(), "leader", "demo", address="10.9.9.9").status_code == 303
    assert attempt(client, "f", "x", address="10.9.9.9").status_code == 422
    assert attempt(client, "handler", "demo", address="10.9.9.9").status_code == 429
    assert attempt(client, "handler", "demo", address="10.9.9.10").status_code == 303


def test_a_name_guessed_from_many_addresses_is_slowed_but_its_owner_gets_in_at_home(make_app):
    app = make_app(auth={"login_attempts_per_minute": 5, "limiter": {"name_failures": 4}})
    seed(app)
    assert attempt(app.test_client(), "handler", "demo", address="10.0.0.7").status_code == 303  # the owner's desk
    for n in range(4):
        assert attempt(app.test_client(), "handler", "wrong", address=f"203.0.113.{n}").status_code == 422
    # A fifth address gets a delay for this name (whatever the password)...
    assert attempt(app.test_client(), "handler", "demo", address="203.0.113.99").status_code == 429
    # ...but the owner at the address they signed in from before is not locked out.
    assert attempt(app.test_client(), "handler", "demo", address="10.0.0.7").status_code == 303


def test_a_right_password_clears_the_name_count(make_app):
    app = make_app(auth={"login_attempts_per_minute": 3, "limiter": {"name_failures": 3}})
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
    assert attempt(second.test_client(), "supervisor", "demo").status_code == 429
    assert Redis.from_url(redis_server.url).ttl("portal:login-failures:pair:supervisor|10.1.1.1") > 0


def test_redis_down_falls_back_to_the_database_with_a_warning(make_app, caplog):
    app = make_app(redis={"url": f"redis://127.0.0.1:{free_port()}/0"})
    seed(app)
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "supervisor", "wrong").status_code == 422
    assert attempt(client, "supervisor", "demo").status_code == 429  # still limited
    assert attempt(client, "supervisor", "demo", address="10.2.2.2").status_code == 303
    assert "login limiter: Redis unavailable" in caplog.text


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(make_app):
    app = make_app(auth={"login_attempts_per_minute": 2, "limiter": {"address_failures": 2},
                         "header": {"trusted_proxies": ["127.0.0.1"]}})
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

