"""The sign-in limiter without Redis keeps its counts in the database, shared by every web process."""

from tests.auth.test_throttle import attempt, seed


def test_without_redis_two_web_processes_share_the_count_through_the_database(make_app):
    """Two app instances (two gunicorn workers) on one database and no Redis: one count, not two."""
    first = make_app(auth={"login_attempts_per_minute": 4})
    seed(first)
    second = make_app(auth={"login_attempts_per_minute": 4})
    clients = [first.test_client(), second.test_client()]
    for n in range(4):
        assert attempt(clients[n % 2], "supervisor", "wrong").status_code == 422
    assert attempt(clients[0], "supervisor", "demo").status_code == 429
    assert attempt(clients[1], "supervisor", "demo").status_code == 429
