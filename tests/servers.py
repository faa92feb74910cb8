"""Real servers for the tests, each on a free port in its own temporary folder.

Nothing here mocks anything: slapd (via python-ldap's slapdtest), redis-server
and a throwaway PostgreSQL cluster are started, used and stopped.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUFFIX = "dc=example,dc=com"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


# --- slapd -----------------------------------------------------------------

def slapd_class():
    from slapdtest import SlapdObject

    class Slapd(SlapdObject):
        suffix = SUFFIX
        root_cn = "Manager"
        root_pw = "manager-secret"
        openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif")
        slapd_loglevel = "0"

        def __init__(self):
            self.TMPDIR = tempfile.mkdtemp(prefix="portal-slapd-")
            super().__init__()

        def stop(self):
            super().stop()
            shutil.rmtree(self.TMPDIR, ignore_errors=True)

    return Slapd


def start_slapd(ldif):
    """Start slapd with the suffix entry and ``ldif`` loaded; return the SlapdObject."""
    server = slapd_class()()
    server.start()
    server.ldapadd(ldif)
    return server


# --- Redis -----------------------------------------------------------------

class RedisServer:
    """redis-server without persistence on a free port; ``url`` to connect."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="portal-redis-")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- PostgreSQL ------------------------------------------------------------

def _pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise RuntimeError(f"PostgreSQL's {name} is not installed (make test installs it)")


class PostgresServer:
    """A throwaway cluster (trust auth, fsync off) on a free port; in ``folder`` (kept) when given."""

    def __init__(self, folder=None):
        self.keep = folder is not None
        self.dir = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args):
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        if self.as_root:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        if self.keep and self.data.exists():
            self.resume()
            return self
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                  "start")
        return self

    def url(self, dbname="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql):
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def has_database(self, name):
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def pause(self):
        """Stop the server (fast shutdown: open connections are cut), keeping its data for resume()."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self):
        """Start the server again on the same port after pause(); returns once it accepts connections."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                  "start")

    def stop(self):
        if self.keep:
            self.pause()
            return
        try:
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
