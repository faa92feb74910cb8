"""The portal served as deployed, for the runs that drive it from outside (`make soak`, `make load`).

Its configuration file, gunicorn with deploy/gunicorn.conf.py on a free loopback port, a signed-in
user talking to it over HTTP, the RSS of gunicorn's workers, and stopping everything that was started.
"""

import contextlib
import json
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import RedisServer  # noqa: E402

BIN = Path(sys.executable).parent
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TIMEZONE = "Asia/Shanghai"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def write_config(folder, database_url, redis_url, extra=""):
    """Write ``folder``/config.toml for this database and Redis (``extra``: more TOML sections); return its path."""
    config = folder / "config.toml"
    config.write_text(f"""
[app]
secret_key = "bench-{uuid.uuid4().hex}"
timezone = "{TIMEZONE}"
base_url = "http://127.0.0.1/"

[database]
url = "{database_url}"

[redis]
url = "{redis_url}"

[uploads]
folder = "{folder / 'uploads'}"

# The benchmark is many requests of one user a second: the per-user quotas (kernel/quotas.py) are for
# people and would answer it 429, so they are off here.
[quotas]
searches = 0
exports = 0
jobs = 0
uploads = 0
running_jobs_per_user = 0
queued_jobs = 0
{extra}""", encoding="utf-8")
    return config


def flask(env, *args, check=True):
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=check,
                          capture_output=True, text=True)


def start_gunicorn(port, workers, env, log, app="wsgi:app"):
    """gunicorn with the deployed settings (deploy/gunicorn.conf.py) on 127.0.0.1:``port``; its output to ``log``."""
    return subprocess.Popen([str(BIN / "gunicorn"), "--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), app], cwd=ROOT, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)


def start_worker(env, log):
    """``python -m worker`` (the queue and its schedule), as deploy/duban-worker@.service runs it."""
    return subprocess.Popen([sys.executable, "-m", "worker"], cwd=ROOT, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)


def stop_processes(processes):
    """Terminate, wait up to 20 s each, then kill what is left."""
    for process in processes:
        process.terminate()
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(20)
        if process.poll() is None:
            process.kill()
            process.wait()


def stop_servers(servers):
    for server in reversed(servers):
        with contextlib.suppress(Exception):
            server.close() if isinstance(server, RedisServer) else server.stop()


def children(pid):
    """The ids of the processes whose parent is ``pid`` (gunicorn's workers under its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name, in parentheses, may hold spaces: the parent id is the 2nd field after it.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def rss_kib(pid):
    """The resident set size of process ``pid`` in KiB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One signed-in user talking to the web processes in turn (round robin, like a load balancer)."""

    def __init__(self, username, ports, record=None):
        self.username, self.ports, self.record = username, ports, record
        self.turn = random.randrange(len(ports))
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())
        self.csrf = None

    @property
    def cookie_header(self):
        """The Cookie header this session sends (for a load tool that speaks as this user)."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def request(self, kind, method, path, body=None, headers=None, files=None):
        self.turn = (self.turn + 1) % len(self.ports)
        url = f"http://127.0.0.1:{self.ports[self.turn]}{path}"
        headers = dict(headers or {})
        data = None
        if files is not None:
            boundary = uuid.uuid4().hex
            name, content = files
            data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                    f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif isinstance(body, dict) and method != "POST-FORM":
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            method = "POST"
        if method != "GET" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(url, data=data, method=method, headers=headers),
                                  timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError as exc:  # no answer at all counts as a server failure
            status, payload = 599, str(exc).encode()
        if self.record:
            self.record(kind, status, time.perf_counter() - started, method, path)
        return status, payload

    def json(self, kind, method, path, body=None):
        status, payload = self.request(kind, method, path, body)
        try:
            return status, json.loads(payload or b"null")
        except ValueError:
            return status, None

    def sign_in(self, password="demo"):
        _, page = self.request("read", "GET", "/login")
        token = CSRF.search(page.decode()).group(1)
        status, _ = self.request("action", "POST-FORM", "/login",
                                 {"username": self.username, "password": password, "csrf_token": token})
        if status not in (302, 303):
            raise RuntimeError(f"{self.username} could not sign in ({status})")
        _, page = self.request("read", "GET", "/")
        self.csrf = CSRF.search(page.decode()).group(1)
        return self
