"""Fixtures: the app on a fresh database (SQLite and PostgreSQL), real servers, signed-in clients."""

import re
import uuid
from pathlib import Path

import argon2
import pytest

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
    pg = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    pg.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    yield pg.url(name)
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


@pytest.fixture
def demo(app):
    """The demo departments and accounts (password ``demo``)."""
    from portal import demo as demo_module

    with app.app_context(), database.connection_context():
        demo_module.seed_people()


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path="/login"):
    """The CSRF token a page carries, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, f"{path} carries no csrf-token meta tag"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username="supervisor", password="demo"):
        token = csrf_token(self.client)
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)
