"""The test company's directory (tests/auth/directory.ldif) on real slapd, and apps that use it."""

from pathlib import Path

import ldap
import pytest

from portal.kernel.db import database
from tests import servers

LDIF = (Path(__file__).parent / "directory.ldif").read_text(encoding="utf-8")
PASSWORD = "Secret#2026"
BASE = "dc=example,dc=com"


def ldap_settings(*uris, **overrides):
    """The ``auth.ldap`` section for servers at ``uris``."""
    settings = {
        "uri": list(uris),
        "timeout_seconds": 2,
        "bind_dn": f"cn=portal-reader,ou=system,{BASE}",
        "bind_password": "reader-secret",
        "user_base": f"ou=people,{BASE}",
        "role_groups": {role: f"cn={group},ou=groups,{BASE}" for role, group in
                        [("leader", "leaders"), ("supervisor", "supervisors"),
                         ("handler", "handlers"), ("admin", "admins")]},
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def directory():
    """The company directory, read-only: tests that change entries use ``fresh_directory``."""
    server = servers.start_slapd(LDIF)
    yield server
    server.stop()


@pytest.fixture
def fresh_directory():
    """A directory of this test's own, which it may change or stop."""
    started = []

    def start():
        server = servers.start_slapd(LDIF)
        started.append(server)
        return server

    yield start
    for server in started:
        if server._proc is not None:
            server.stop()


def admin_connection(server):
    """A python-ldap connection bound as the directory's root, to change entries in tests."""
    conn = ldap.initialize(server.ldap_uri)
    conn.simple_bind_s(server.root_dn, server.root_pw)
    return conn


@pytest.fixture
def ldap_app(make_app, directory):
    """An app signing in against the company directory only."""
    return make_app(auth={"backends": ["ldap"], "ldap": ldap_settings(directory.ldap_uri)})


def user(app, username):
    """The portal's user record (None before a first sign-in or sync)."""
    from portal.auth.models import User

    with app.app_context(), database.connection_context():
        found = User.get_or_none(User.username == username)
        if found is not None:
            found.roles  # load while connected
            found.department
        return found


class Gunicorn:
    """The portal under real gunicorn (as deploy/duban-web.service runs it) on a loopback port."""

    def __init__(self, tmp_path, workers=1, extra_config=""):
        import os
        import sys

        self.root = Path(__file__).resolve().parents[2]
        self.config = tmp_path / "config.toml"
        self.config.write_text(f'[app]\nsecret_key = "s"\n[database]\nurl = "sqlite:///{tmp_path}/portal.db"\n'
                               + extra_config, encoding="utf-8")
        self.env = {**os.environ, "PORTAL_CONFIG": str(self.config)}
        self.python = sys.executable
        self.workers = workers
        self.proc = None

    def flask(self, *args):
        import subprocess

        subprocess.run([self.python, "-m", "flask", "--app", "wsgi", *args], cwd=self.root, env=self.env,
                       check=True, capture_output=True)

    def start(self):
        import subprocess
        import time
        import urllib.request

        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([self.python, "-m", "gunicorn", "--workers", str(self.workers),
                                      "--bind", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=self.root, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=5):
                    return self
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.2)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)


@pytest.fixture
def gunicorn(tmp_path):
    started = []

    def start(**kwargs):
        server = Gunicorn(tmp_path, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
