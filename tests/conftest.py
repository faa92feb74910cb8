"""Fixtures: the app on a fresh database (SQLite and PostgreSQL), real servers, signed-in clients."""

import contextlib
import re
import uuid
from pathlib import Path

import argon2
import pytest
from flask.testing import FlaskClient

from portal import create_app
from portal.auth import users as users_module
from portal.kernel.db import database
from portal.migrations import upgrade
from tests import servers

HERE = Path(__file__).parent

# The same algorithm at its cheapest settings: tests hash many passwords.
users_module._hasher = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# --- real servers, one per session, started on first use -------------------

@pytest.fixture(scope="session")
def redis_server():
    server = servers.RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_server():
    server = servers.PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    """A database migrated once per session; each test's database is a copy of it (fast)."""
    from portal.kernel.db import make_database

    postgres_server.execute("CREATE DATABASE portal_template")
    database.initialize(make_database(postgres_server.url("portal_template"), str(HERE)))
    with database.connection_context():
        upgrade()
    database.obj.close()
    return "portal_template"


@pytest.fixture(scope="session")
def slapd():
    """slapd with tests/directory.ldif loaded (suffix dc=example,dc=com)."""
    server = servers.start_slapd((HERE / "directory.ldif").read_text(encoding="utf-8"))
    yield server
    server.stop()


# --- the application -------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, empty database for one test: SQLite in a temp folder, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    template = request.getfixturevalue("postgres_template")
    with postgres_database(request.getfixturevalue("postgres_server"), "t", template) as url:
        yield url


@contextlib.contextmanager
def postgres_database(pg, prefix, template=None):
    """A new database on the server ``pg`` named ``prefix_…``, a copy of ``template`` or empty: its URL.
    Dropped afterwards (this process's connection to it closed first)."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    pg.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY" if template
               else f"CREATE DATABASE {name}")
    try:
        yield pg.url(name)
    finally:
        if not database.is_closed():
            database.close()
        pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def merge(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database and instance folder; keyword dicts override config sections."""
    apps = []

    def factory(**sections):
        config = merge({
            "app": {"secret_key": "test-secret", "demo": False},
            "database": {"url": database_url},
        }, sections)
        app = create_app(config)
        app.config.update(TESTING=True)
        app.instance_path = str(tmp_path / "instance")  # uploads and backups stay in the test's folder
        with app.app_context(), database.connection_context():
            upgrade()
        apps.append(app)
        return app

    yield factory
    if not database.is_closed():
        database.close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database connection for test code that reads or writes models directly."""
    with app.app_context(), database.connection_context():
        yield database


def with_demo_people(app):
    """``app``, with the demo departments and accounts (password ``demo``) in its database."""
    from portal import demo as demo_module

    with app.app_context(), database.connection_context():
        demo_module.seed_people()
    return app


@pytest.fixture
def demo(app):
    """The demo departments and accounts (password ``demo``)."""
    with_demo_people(app)


def bearer(token):
    """The header that signs an API request in with a personal token instead of a session."""
    return {"Authorization": f"Bearer {token}"}


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path="/login"):
    """The CSRF token a page carries, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, f"{path} carries no csrf-token meta tag"
    return match.group(1)


def log_in(client, username, password="demo"):
    """Post the login form as a browser does, with the page's CSRF token; the response."""
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)})


def log_out(client):
    """Post the sign-out form with the home page's CSRF token; the response."""
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SignedIn(FlaskClient):
    """A test client signed in through the real login form (``sign_in`` makes them).

    ``token`` is its session's CSRF token, read from the home page. While ``csrf_header`` is true, a POST,
    PUT, PATCH or DELETE carries it as X-CSRFToken, as the portal's htmx and fetch calls do, unless the
    request sets that header itself; a request with ``csrf_header=False`` (or every request, when the
    client's ``csrf_header`` is false) goes as a plain HTML form goes, with only what its data holds: its
    own csrf_token field, or none.
    """

    token = None
    csrf_header = True

    def open(self, *args, csrf_header=None, **kwargs):
        send = self.csrf_header if csrf_header is None else csrf_header
        if send and self.token and kwargs.get("method", "GET").upper() in UNSAFE:
            kwargs["headers"] = {"X-CSRFToken": self.token, **dict(kwargs.get("headers") or {})}
        return super().open(*args, **kwargs)


@pytest.fixture
def sign_in(request):
    """``sign_in("handler")``: a ``SignedIn`` client of the test's ``app`` (or of ``app=``), signed in
    as ``handler`` with the password ``demo`` (or ``password=``); the user must exist (the ``demo``
    fixture makes the demo accounts). ``csrf_header=False``: a browser without scripts, whose requests
    carry no X-CSRFToken header.

    One browser per person: the same client each time for the same arguments; ``new_session=True``
    opens another browser of the same person.
    """
    made = {}

    def factory(username, password="demo", *, app=None, csrf_header=True, new_session=False):
        if app is None:
            app = request.getfixturevalue("app")
        key = (app, username, password, csrf_header)
        if new_session or key not in made:
            client = SignedIn(app, app.response_class, use_cookies=True)
            response = log_in(client, username, password)
            assert response.status_code == 303, f"{username} could not sign in ({response.status_code})"
            client.token, client.csrf_header = csrf_token(client, "/"), csrf_header
            made.setdefault(key, client)
            return client
        return made[key]

    return factory
