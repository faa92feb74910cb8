"""The portal under load: `make load` (or `python -m bench.load --help`).

For each database (PostgreSQL 15 and SQLite): fills a fresh one as `make bench` does (100,000 items
and a million events by default), serves it with gunicorn as deployed (deploy/gunicorn.conf.py) plus
one ``python -m worker`` and a Redis, and drives it from other processes with maintained load tools:

- wrk compares the supervisor's board with a bare route of the same app returning a fixed page of the
  board's size (bench/load_wsgi.py): same connections, same duration, both signed in as the supervisor.
- Locust runs a mix of signed-in users (bench/load_users.py): handlers open boards, lists and item
  pages and report progress, supervisors list and filter, the leader approves closures; each user's
  page polls the navigation badges meanwhile, as the browser does.

It prints, and writes to a Markdown file, req/s and p50/p95/p99 per route, the errors, the ratio of
the board's req/s to the bare route's (target >= 0.5), and checks: no 5xx answer (the load tools
and gunicorn's access log), the events written during the run equal the successful actions by
action name (nothing lost or written twice), and each web worker's RSS after the run under 150 MiB
(--rss-limit-mib).
Exit status 1 when a check fails (the ratio is reported against its target, not checked).
"""

import argparse
import collections
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from bench.serve import (BIN, ROOT, Session, children, rss_kib, start_gunicorn, start_worker, stop_processes,
                         stop_servers, write_config)
from tests.servers import PostgresServer, RedisServer, free_port, wait_for_port

ACCESS_STATUS = re.compile(r'" (\d{3}) ')  # gunicorn's access log: ... "GET / HTTP/1.1" 200 12345 ...


# --- the database -----------------------------------------------------------------------------------

def fill(items, events_per_item):
    """Fill PORTAL_CONFIG's fresh database as `make bench` does; return (app, seconds, the supervisor board's bytes)."""
    from bench.__main__ import generate
    from portal import create_app
    from portal.items.models import Item
    from portal.kernel.db import database
    from portal.migrations import upgrade
    from tests.conftest import log_in

    app = create_app()
    with app.app_context(), database.connection_context():
        upgrade()
        seconds = 0 if Item.select().exists() else generate(items, events_per_item)  # (kept by --keep)
    client = app.test_client()
    log_in(client, "supervisor")
    board = client.get("/")
    if board.status_code != 200:
        raise RuntimeError(f"the supervisor's board answered {board.status_code}")
    return app, seconds, len(board.get_data())


def events_by_action(app):
    """How many item events there are of each action."""
    from peewee import fn

    from portal.items.models import ItemEvent
    from portal.kernel.db import database

    with app.app_context(), database.connection_context():
        return collections.Counter(dict(ItemEvent.select(ItemEvent.action, fn.COUNT(ItemEvent.id))
                                        .group_by(ItemEvent.action).tuples()))


# --- the load tools ---------------------------------------------------------------------------------

def wrk(url, cookie, seconds, connections, threads):
    """wrk's summary (bench/wrk_report.lua) for ``url`` requested with ``cookie``; latencies in ms."""
    out = subprocess.run(["wrk", "--threads", str(threads), "--connections", str(connections),
                          "--duration", f"{seconds}s", "--timeout", "30s", "--header", f"Cookie: {cookie}",
                          "--script", str(ROOT / "bench" / "wrk_report.lua"), url],
                         capture_output=True, text=True, check=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    for key in ("p50", "p95", "p99", "max"):
        summary[key] /= 1000
    summary["errors"] = sum(summary[k] for k in ("connect", "read", "write", "status", "timeout"))
    return summary


def compare(port, seconds, connections, threads):
    """The bare route, then the supervisor's board, each with a session signed in just before.

    A fresh session each time: the portal renews a session's last-seen mark (a write) at most once a
    minute, and wrk resends one cookie, so a run under a minute old costs no write on either route.
    """
    results = {}
    for route, path in (("bare", "/_bare"), ("board", "/")):
        session = Session("supervisor", [port]).sign_in()
        for _ in range(3):  # warm: the worker's first request of a kind, the board's cache
            status, _ = session.request("read", "GET", path)
            if status != 200:
                raise RuntimeError(f"GET {path} as the supervisor answered {status}")
        results[route] = wrk(f"http://127.0.0.1:{port}{path}", session.cookie_header, seconds, connections, threads)
    return results


def locust(port, users, seconds, folder, env):
    """Run the mix for ``seconds``; return what bench/load_users.py wrote (routes, actions)."""
    counts = folder / "locust.json"
    with open(folder / "locust.log", "w") as log:
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_users.py"), "--headless",
                        "--users", str(users), "--spawn-rate", str(max(1, users // 3)), "--run-time", f"{seconds}s",
                        "--stop-timeout", "60", "--host", f"http://127.0.0.1:{port}", "--only-summary",
                        "--loglevel", "WARNING"],
                       cwd=ROOT, env={**env, "LOAD_COUNTS": str(counts)}, stdout=log, stderr=subprocess.STDOUT,
                       timeout=seconds + 300)
    if not counts.exists():
        raise RuntimeError(f"Locust wrote no figures: {(folder / 'locust.log').read_text(errors='replace')[-2000:]}")
    return json.loads(counts.read_text())


# --- one database -----------------------------------------------------------------------------------

def run_backend(backend, args):
    """Serve, load and check one database; return its results (a dict) for the report."""
    folder = Path(tempfile.mkdtemp(prefix="duban-load-"))
    processes, servers = [], []
    result = {"backend": backend}
    try:
        redis = RedisServer().start()
        servers.append(redis)
        if backend == "postgresql":
            pg = PostgresServer(args.keep / "pg" if args.keep else None).start()
            servers.append(pg)
            if not pg.has_database("duban"):
                pg.execute("CREATE DATABASE duban")
            url = pg.url("duban")
            with psycopg.connect(url) as conn:
                result["server"] = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
        else:
            url = f"sqlite:///{args.keep or folder}/portal.db"
            result["server"] = f"SQLite {sqlite3.sqlite_version}"
        config = write_config(folder, url, redis.url)
        os.environ["PORTAL_CONFIG"] = str(config)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        app, result["fill_seconds"], result["bare_bytes"] = fill(args.items, args.events_per_item)
        print(f"load: {result['server']}, {args.items:,} items filled in {result['fill_seconds']:.0f} s; "
              f"board {result['bare_bytes']:,} bytes; folder {folder}", flush=True)

        port = free_port()
        web = start_gunicorn(port, args.workers, {**env, "LOAD_BARE_BYTES": str(result["bare_bytes"])},
                             folder / "web.log", app="bench.load_wsgi:app")
        processes.append(web)
        processes.append(start_worker(env, folder / "worker.log"))
        wait_for_port(port, 60)

        before = events_by_action(app)
        result["wrk"] = compare(port, args.wrk_seconds, args.connections, args.threads)
        result["rss_read_mib"] = [rss_kib(pid) / 1024 for pid in children(web.pid)]
        print(f"load: wrk done (bare {result['wrk']['bare']['rps']:.0f} req/s, "
              f"board {result['wrk']['board']['rps']:.0f} req/s); Locust, {args.users} users, {args.seconds} s",
              flush=True)
        mix = locust(port, args.users, args.seconds, folder, env)
        after = events_by_action(app)

        workers = children(web.pid)
        result["rss_mib"] = [rss_kib(pid) / 1024 for pid in workers]
        access_log = (folder / "web.log").read_text(errors="replace")
        result.update(routes=mix["routes"], ratio=result["wrk"]["board"]["rps"] / result["wrk"]["bare"]["rps"],
                      checks=checks(result, mix, before, after, access_log, args.rss_limit_mib))
        return result
    finally:
        stop_processes(processes)
        if "app" in locals():
            from portal.kernel.db import database
            if not database.is_closed():
                database.close()
        stop_servers(servers)
        if os.environ.get("LOAD_KEEP") != "1":
            subprocess.run(["rm", "-rf", str(folder)], check=False)


def checks(result, mix, before, after, access_log, rss_limit_mib):
    """{label: (passed, what was found)} for one database's run."""
    server = collections.Counter(int(status) for status in ACCESS_STATUS.findall(access_log))
    server_5xx = sum(n for status, n in server.items() if status >= 500)
    statuses = [route["statuses"] for route in mix["routes"]]  # JSON: the status codes are strings
    locust_5xx = sum(n for answers in statuses for status, n in answers.items() if int(status) >= 500)
    unanswered = sum(answers.get("0", 0) for answers in statuses)
    wrk_errors = sum(result["wrk"][route]["errors"] for route in ("bare", "board"))
    acted = mix["actions"]
    written = {action: after[action] - before[action] for action in after if after[action] != before[action]}
    rss, rss_read = result["rss_mib"], result["rss_read_mib"]
    return {
        "no 5xx answer": (locust_5xx == 0 and server_5xx == 0,
                          f"Locust {locust_5xx}, gunicorn's access log {server_5xx} of {sum(server.values()):,} "
                          "requests"),
        "every request answered": (unanswered == 0 and wrk_errors == 0,
                                   f"Locust {unanswered} without an answer, wrk {wrk_errors} errors "
                                   "(socket errors, timeouts, non-2xx/3xx)"),
        "actions were taken": (bool(acted.get("report")) and bool(acted.get("approve")),
                               ", ".join(f"{a} {n}" for a, n in sorted(acted.items())) or "none"),
        "events written = successful actions": (written == acted, "; ".join(
            f"{a}: {written.get(a, 0)} written, {acted.get(a, 0)} answered 2xx"
            for a in sorted(set(written) | set(acted))) or "none"),
        f"RSS of each web worker < {rss_limit_mib} MiB": (
            bool(rss) and all(mib < rss_limit_mib for mib in rss),
            ", ".join(f"{mib:.1f} MiB" for mib in rss) + " (after wrk's reads, before the mix: "
            + ", ".join(f"{mib:.1f}" for mib in rss_read) + ")" if rss else "no worker found"),
    }


# --- the report -------------------------------------------------------------------------------------

def report(results, args, started):
    """The results as Markdown."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    tools = subprocess.run([str(BIN / "locust"), "--version"], capture_output=True, text=True).stdout.split()[1]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    gunicorn_version = subprocess.run([str(BIN / "gunicorn"), "--version"], capture_output=True,
                                      text=True).stdout.split()[-1].strip("()")
    lines = [
        f"# `make load`, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.load {' '.join(args.argv)}`".replace(" `", "`"),
        "",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; commit {commit}"
        f"{' with uncommitted changes' if dirty else ''}. The web server, the worker, the database, Redis and the "
        "load tools all share these cores, so absolute figures vary between machines and runs: "
        "the ratios are the figures to compare.",
        "",
        f"gunicorn {gunicorn_version} with deploy/gunicorn.conf.py (sync workers, timeout 60 s, access log), "
        f"`--workers {args.workers}` (the unit's file says 4), app bench/load_wsgi.py: wsgi.py's app plus "
        "`/_bare`; one `python -m worker` and one Redis beside it. "
        f"Load tools in their own processes: wrk {wrk_version}, Locust {tools} (FastHttpUser).",
        "",
        "`/_bare` answers a fixed HTML page as long as the supervisor's board. It is signed in "
        "(`login_required`: the user and the server-side session are loaded) and passes every before- and "
        "after-request hook of the app (database connection, session, security headers, outbox relay); "
        "it skips only the board's own queries and template.",
    ]
    for r in results:
        w = r["wrk"]
        lines += [
            "",
            f"## {r['server']}: {args.items:,} items, {args.items * args.events_per_item:,} events",
            "",
            f"### The supervisor's board against the bare route (wrk, {args.connections} connections, "
            f"{args.threads} threads, {args.wrk_seconds} s each)",
            "",
            "| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for route, label in (("bare", f"GET /_bare ({r['bare_bytes']:,} bytes)"),
                             ("board", "GET / (supervisor board)")):
            s = w[route]
            lines.append(f"| {label} | {s['requests']:,} | {s['rps']:.1f} | {s['p50']:.1f} | {s['p95']:.1f} | "
                         f"{s['p99']:.1f} | {s['errors']} |")
        lines += [
            "",
            f"**Ratio board / bare: {r['ratio']:.3f}** (target ≥ 0.5: {'met' if r['ratio'] >= 0.5 else 'missed'}). "
            "Nothing writes during these runs, so after the first request the board is served from "
            "its per-process cache (README, Performance).",
            "",
            f"### The mix (Locust, {args.users} users, {args.seconds} s; users 5 : 3 : 1 handlers, supervisors, "
            "the leader; a pause of 0.5–2 s between tasks; each page polls its badges every 15 and 30 s)",
            "",
            "| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors | 409 |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for route in sorted(r["routes"], key=lambda route: -route["requests"]):
            lines.append(f"| {route['name']} | {route['requests']:,} | {route['rps']:.1f} | {route['p50']} | "
                         f"{route['p95']} | {route['p99']} | {route['failures']} | {route['statuses'].get('409', 0)} |")
        lines += ["", "Errors: answers other than 2xx/3xx (a 409, two users acting on one item at once, is "
                  "counted apart); Locust rounds latencies over 100 ms to two significant digits.", "",
                  "### Checks", ""]
        for label, (ok, detail) in r["checks"].items():
            lines.append(f"- [{'ok' if ok else 'FAILED'}] {label}: {detail}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--events-per-item", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="how long the Locust mix runs (default 60)")
    parser.add_argument("--users", type=int, default=30, help="Locust users in the mix (default 30)")
    parser.add_argument("--wrk-seconds", type=int, help="each wrk run (default: --seconds, at most 30)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn's workers (default: one per core)")
    parser.add_argument("--rss-limit-mib", type=int, default=150,
                        help="the most RSS a web worker may have after the run (default 150, the target of issue 14)")
    parser.add_argument("--keep", metavar="FOLDER", type=Path,
                        help="keep the databases in FOLDER, and load those found there instead of filling new ones")
    parser.add_argument("--output", type=Path, help="the Markdown file (default bench/results/load-<date>.md)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.wrk_seconds = args.wrk_seconds or min(args.seconds, 30)
    started = datetime.datetime.now(datetime.timezone.utc)
    output = args.output or ROOT / "bench" / "results" / f"load-{started:%Y-%m-%d}.md"

    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    results = [run_backend(backend, args) for backend in backends]
    text = report(results, args, started)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print("\n" + text + f"\n(written to {output})")
    return 0 if all(ok for r in results for ok, _ in r["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
