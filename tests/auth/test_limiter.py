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


def test_four_gunicorn_workers_let_five_failures_through_not_twenty(gunicorn):
    """The finding: 4 workers counting in their own memory let 14 wrong passwords pass a limit of 5."""
    import http.cookiejar
    import re
    import urllib.error
    import urllib.parse
    import urllib.request

    server = gunicorn(workers=4)
    server.flask("init-db")
    server.flask("seed-demo")
    server.start()
    statuses = []
    for _ in range(12):
        # A fresh browser each time (new cookies): only the server's shared count can stop it.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(server.url + "/login", timeout=10).read().decode()
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": "supervisor", "password": "wrong", "csrf_token": token})
        try:
            statuses.append(opener.open(server.url + "/login", data=body.encode(), timeout=30).status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    assert statuses == [422] * 5 + [429] * 7
