"""The scale-out soak: `make soak` (or `python -m bench.soak --seconds 60`).

A site that outgrew one machine, on this one: two gunicorn processes (two sync workers each) and two
``python -m worker`` processes (each with its own schedule) against one PostgreSQL and one Redis, all
started here on free loopback ports in a temporary folder, with an SMTP sink standing in for the mail
server. Several users (threads, each with its own session, spread over both web processes like a load
balancer) read pages and the API and take actions for ``--seconds``. Meanwhile ``flask remind`` runs
twice at once, and both workers' schedules run the daily reminder scan (its time is set to fall in
the run).

Checks, each printed with its count: no 5xx answer; every item's events chain from state to state and
end in the item's state; one outbox row per reminder dedupe key, the two concurrent scans' new rows
add up to the rows written, one in-portal notification per reminder, one mail per message (no
Message-ID received twice). Exit status 1 when a check fails.
"""

import argparse
import ast
import collections
import datetime
import email
import email.policy
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zoneinfo
from pathlib import Path

from bench.serve import (BIN, ROOT, TIMEZONE, Session, flask, percentile, start_gunicorn, start_worker, stop_processes,
                         stop_servers, write_config)
from tests.servers import PostgresServer, RedisServer, free_port, wait_for_port

# --- outside parts ----------------------------------------------------------------------------------

class MailSink:
    """An SMTP server (aiosmtpd) keeping the Message-ID and recipients of every mail."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        sink = self
        self.messages = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                sink.messages.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def soak_config(folder, pg_url, redis_url, smtp_port, scan_time):
    return write_config(folder, pg_url, redis_url, f"""
[mail]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "duban@example.com"

[notify]
relay_interval_seconds = 1
retry_backoff_seconds = 1

[reminders]
scan_time = "{scan_time}"
min_urge_gap_hours = 0
""")


def prepare_database(env):
    """init-db and the demo office, every account with an e-mail address (so reminders are mailed)."""
    flask(env, "init-db")
    flask(env, "seed-demo")
    from portal import create_app
    from portal.auth.models import User
    from portal.kernel.db import database

    app = create_app()
    with app.app_context(), database.connection_context():
        for user in User.select():
            User.update(email=f"{user.username}@example.com").where(User.id == user.id).execute()
    return app


# --- the users --------------------------------------------------------------------------------------

def items_in(session, state, **filters):
    query = urllib.parse.urlencode({"state": state, "per_page": 50, **filters})
    status, body = session.json("read", "GET", f"/api/v1/items?{query}")
    return [item["number"] for item in body["items"]] if status == 200 and body else []


def act(session, number, action, **fields):
    status, item = session.json("read", "GET", f"/api/v1/items/{number}")
    if status != 200 or not item:
        return status
    if action not in item.get("available_actions", []):
        return None
    status, _ = session.json("action", "POST", f"/api/v1/items/{number}/actions/{action}",
                             {"version": item["version"], **fields})
    return status


def act_on_first(session, state, filters, action, **fields):
    """``action`` on the first listed item in ``state`` (``filters`` narrow the list), if there is one."""
    for number in items_in(session, state, **filters)[:1]:
        act(session, number, action, **fields)


def any_item(session, rng, state, **filters):
    """An item in ``state`` picked at random (``filters`` narrow the list), or None."""
    numbers = items_in(session, state, **filters)
    return rng.choice(numbers) if numbers else None


def deadline(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def supervisor_step(session, rng):
    choice = rng.random()
    if choice < 0.25:
        status, body = session.json("action", "POST", "/api/v1/items", {
            "title": f"压力测试事项 {uuid.uuid4().hex[:6]}", "source_type": "meeting", "level": "normal",
            "lead_department": "property", "co_departments": ["catering"], "leader": "leader",
            "deadline": deadline(rng.randint(1, 40)), "feedback_cycle_days": 7})
        if status == 201:
            act(session, body["number"], "dispatch")
    elif choice < 0.45:
        act_on_first(session, "closure_requested", {}, "review", decision="approve", comment="同意")
    elif choice < 0.55:
        for number in rng.sample(items_in(session, "in_progress"), 1) if rng.random() < 0.5 else []:
            act(session, number, "urge", comment="请加快进度")
    else:
        read_step(session, rng)


def handler_step(session, rng):
    choice = rng.random()
    if choice < 0.2:
        act_on_first(session, "dispatched", {"department": "property"}, "accept")
    elif choice < 0.4:
        number = any_item(session, rng, "in_progress", department="property")
        if number:
            act(session, number, "report", progress=rng.randrange(0, 100, 5), comment="按计划推进")
    elif choice < 0.5:
        number = any_item(session, rng, "in_progress", department="property")
        if number:
            status, _ = session.request("action", "POST", f"/api/v1/items/{number}/attachments",
                                        files=("佐证.pdf", b"%PDF-1.4 soak " + os.urandom(2048)))
            if status == 201:
                act(session, number, "request_closure", comment="已完成，附佐证")
    else:
        read_step(session, rng)


def co_handler_step(session, rng):
    if rng.random() < 0.3:
        number = any_item(session, rng, "in_progress", department="catering")
        if number:
            act(session, number, "report", progress=rng.randrange(0, 100, 5), comment="配合单位进展")
    else:
        read_step(session, rng)


def leader_step(session, rng):
    choice = rng.random()
    if choice < 0.3:
        act_on_first(session, "pending_approval", {"leader": "leader"}, "approve", decision="approve",
                     comment="同意办结")
    elif choice < 0.4:
        number = any_item(session, rng, "in_progress")
        if number:
            act(session, number, "instruct", comment="请抓紧落实")
    else:
        read_step(session, rng)


def read_step(session, rng):
    choice = rng.random()
    if choice < 0.3:
        session.request("read", "GET", "/")
    elif choice < 0.5:
        session.request("read", "GET", f"/items?page={rng.randint(1, 3)}")
    elif choice < 0.7:
        number = any_item(session, rng, rng.choice(["in_progress", "dispatched", "closed"]))
        if number:
            session.request("read", "GET", f"/items/{number}")
    elif choice < 0.85:
        session.json("read", "GET", "/api/v1/notifications")
    else:
        session.json("read", "GET", "/api/v1/items?light=red&per_page=20")


USERS = [("supervisor", supervisor_step), ("supervisor", supervisor_step), ("handler", handler_step),
         ("handler", handler_step), ("catering", co_handler_step), ("leader", leader_step),
         ("office", read_step)]


# --- the checks -------------------------------------------------------------------------------------

def check_items(app):
    """(items, events, inconsistent numbers): each item's events chain and end in its state."""
    from portal.items.models import Item, ItemEvent
    from portal.kernel.db import database

    with app.app_context(), database.connection_context():
        states = dict(Item.select(Item.id, Item.state).tuples())
        numbers = dict(Item.select(Item.id, Item.number).tuples())
        current, bad, events = {}, set(), 0
        for item_id, from_state, to_state in (ItemEvent.select(ItemEvent.item, ItemEvent.from_state,
                                                               ItemEvent.to_state)
                                              .order_by(ItemEvent.item, ItemEvent.id).tuples()):
            events += 1
            if current.get(item_id) != from_state:
                bad.add(numbers[item_id])
            current[item_id] = to_state
        bad |= {numbers[i] for i, state in states.items() if current.get(i) != state}
        return len(states), events, sorted(bad)


def reminder_rows(app, day):
    from portal.kernel.db import database
    from portal.notify.models import Delivery, Notification, Outbox

    with app.app_context(), database.connection_context():
        rows = list(Outbox.select(Outbox.id, Outbox.dedupe_key, Outbox.status)
                    .where(Outbox.kind.startswith("reminder_")).tuples())
        keys = collections.Counter(key for _, key, _ in rows)
        notes = collections.Counter(outbox for (outbox,) in Notification.select(Notification.outbox)
                                    .where(Notification.outbox.in_([r[0] for r in rows] or [0])).tuples())
        mails = Delivery.select().where(Delivery.channel == "email", Delivery.status == "sent",
                                        Delivery.outbox.in_([r[0] for r in rows] or [0])).count()
        pending = sum(1 for _, _, status in rows if status not in ("delivered", "failed"))
        failed = sum(1 for _, _, status in rows if status == "failed")
        of_day = sum(1 for _, key, _ in rows if f":{day.isoformat()}:" in key)
        return {"rows": len(rows), "of_day": of_day, "max_per_key": max(keys.values(), default=0),
                "notifications_per_row": sorted(set(notes[r[0]] for r in rows)), "mails_sent": mails,
                "pending": pending, "failed": failed}


def outbox_pending(app):
    from portal.kernel.db import database
    from portal.notify.models import Outbox

    with app.app_context(), database.connection_context():
        return Outbox.select().where(Outbox.status.not_in(["delivered", "failed"])).count()


def last_working_day(app):
    from portal.calendar import is_workday
    from portal.kernel.clock import local_today

    with app.app_context():
        day = local_today()
        while not is_workday(day):
            day -= datetime.timedelta(days=1)
        return day


# --- the run ----------------------------------------------------------------------------------------

def run(seconds, web_workers):
    folder = Path(tempfile.mkdtemp(prefix="duban-soak-"))
    processes, servers = [], []
    started_at = time.monotonic()
    try:
        pg = PostgresServer().start()
        servers.append(pg)
        pg.execute("CREATE DATABASE duban")
        redis = RedisServer().start()
        servers.append(redis)
        mail = MailSink().start()
        servers.append(mail)
        config = soak_config(folder, pg.url("duban"), redis.url, mail.controller.port, "08:00")
        env = {**os.environ, "PORTAL_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
        os.environ["PORTAL_CONFIG"] = str(config)
        app = prepare_database(env)
        day = last_working_day(app)
        # Both schedules run the reminder scan at the first whole minute at least 20 s from now.
        zone = zoneinfo.ZoneInfo(TIMEZONE)
        fire = (datetime.datetime.now(zone) + datetime.timedelta(seconds=80)).replace(second=0, microsecond=0)
        soak_config(folder, pg.url("duban"), redis.url, mail.controller.port, fire.strftime("%H:%M"))

        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(start_gunicorn(port, web_workers, env, folder / f"web-{port}.log"))
        for n in (1, 2):
            processes.append(start_worker(env, folder / f"worker-{n}.log"))
        for port in ports:
            wait_for_port(port, 60)

        records, lock = [], threading.Lock()
        load_start = time.monotonic()  # reset when the users start; sign-ins come before (negative times)

        def record(kind, status, elapsed, method, path):
            with lock:
                records.append((kind, status, elapsed, method, path, time.monotonic() - elapsed - load_start))

        sessions = []
        for username, _ in USERS:
            session = Session(username, ports, record)
            session.sign_in()
            sessions.append(session)
        stop = threading.Event()
        crashes = []

        def user(session, step, seed):
            rng = random.Random(seed)
            while not stop.is_set():
                try:
                    step(session, rng)
                except Exception as exc:  # a crash of the load itself is reported, never hidden
                    crashes.append(f"{session.username}: {type(exc).__name__}: {exc}")
                    time.sleep(0.5)

        threads = [threading.Thread(target=user, args=(s, step, n), daemon=True)
                   for n, (s, (_, step)) in enumerate(zip(sessions, USERS))]
        load_start = time.monotonic()
        for thread in threads:
            thread.start()
        print(f"soak: {len(USERS)} users on 2 gunicorn x {web_workers} workers, 2 workers, "
              f"{seconds} s; folder {folder}", flush=True)

        # Half-way: the reminder scan twice at once, as two machines' cron might.
        time.sleep(seconds / 2)
        reminds = [subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "remind", "--date", day.isoformat()],
                                    cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for _ in range(2)]
        outputs = [p.communicate(timeout=300)[0] for p in reminds]
        new_rows = [sum(int(n) for n in re.findall(r"reminder_\w+: (\d+) new", out)) for out in outputs]
        time.sleep(max(0.0, seconds - (time.monotonic() - load_start)))
        stop.set()
        for thread in threads:
            thread.join(90)
        load_seconds = time.monotonic() - load_start

        # Let the workers finish: the scheduled scans (both schedules) and every notification delivered.
        deadline_at = time.monotonic() + 150
        scheduled, scheduled_scans = 0, []
        while time.monotonic() < deadline_at:
            logs = "".join((folder / f"worker-{n}.log").read_text(errors="replace") for n in (1, 2))
            scheduled_scans = re.findall(r"reminders for (\d{4}-\d\d-\d\d): (\{[^}]*\})", logs)
            scheduled = len(scheduled_scans) + len(re.findall(r"is not a working day, nothing to send", logs))
            if scheduled >= 2 and outbox_pending(app) == 0:
                break
            time.sleep(1)

        # A scheduled scan on a working day writes that day's reminders too: it counts with the two scans.
        scheduled_rows = sum(sum(ast.literal_eval(counts).values())
                             for scanned, counts in scheduled_scans if scanned == day.isoformat())
        items, events, bad = check_items(app)
        reminders = reminder_rows(app, day)
        message_ids = collections.Counter(mid for mid, _ in mail.messages)
        server_errors = [r for r in records if r[1] >= 500]
        reads = [r[2] for r in records if r[0] == "read"]
        actions = [r[2] for r in records if r[0] == "action"]
        statuses = collections.Counter(r[1] for r in records)

        checks = {
            "no 5xx answer": not server_errors,
            "no crash of the load": not crashes,
            "every item's events lead to its state": not bad,
            "one outbox row per reminder key": reminders["max_per_key"] <= 1,
            "the concurrent scans wrote each reminder once": sum(new_rows) + scheduled_rows == reminders["of_day"],
            "one notification per reminder": reminders["notifications_per_row"] in ([], [1]),
            "every reminder delivered": reminders["pending"] == 0 and reminders["failed"] == 0,
            "one mail per reminder": reminders["mails_sent"] == reminders["rows"],
            "no mail received twice": max(message_ids.values(), default=1) == 1,
            "both schedules ran the reminder scan": scheduled >= 2,
        }
        print(f"\nrequests: {len(records)} in {load_seconds:.0f} s ({len(records) / load_seconds:.1f}/s); "
              f"reads {len(reads)}, actions {len(actions)}")
        print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
        for label, values in (("reads", reads), ("actions", actions), ("all", reads + actions)):
            print(f"latency {label:7} p50 {1000 * statistics.median(values or [0]):6.1f} ms   "
                  f"p95 {1000 * percentile(values, 0.95):6.1f} ms   max {1000 * max(values or [0]):6.1f} ms")
        by_route = collections.defaultdict(list)
        for _, _, elapsed, method, path, _ in records:
            route = re.sub(r"DB-\d{4}-\d+", "{n}", path.split("?")[0])
            by_route[f"{method.replace('POST-FORM', 'POST')} {route}"].append(elapsed)
        for route, values in sorted(by_route.items(), key=lambda pair: -len(pair[1]))[:12]:
            print(f"  {route:48} n {len(values):5}   p50 {1000 * statistics.median(values):6.1f} ms   "
                  f"p95 {1000 * percentile(values, 0.95):6.1f} ms")
        slowest = sorted(records, key=lambda r: -r[2])[:5]
        print("slowest: " + "; ".join(f"{r[3].replace('POST-FORM', 'POST')} {r[4].split('?')[0]} "
                                      f"{1000 * r[2]:.0f} ms at {r[5]:.0f} s" for r in slowest))
        print(f"items checked: {items}, events: {events}, inconsistent: {len(bad)} {bad[:5]}")
        print(f"reminders for {day}: concurrent scans wrote {new_rows} (sum {sum(new_rows)}), rows of that day "
              f"{reminders['of_day']}, reminder rows {reminders['rows']}, max rows per key "
              f"{reminders['max_per_key']}, notifications per row {reminders['notifications_per_row']}, "
              f"mails sent {reminders['mails_sent']}")
        print(f"scheduled scans seen in the worker logs: {scheduled} (at {fire:%H:%M} {TIMEZONE}), "
              f"rows they wrote for {day}: {scheduled_rows}")
        print(f"mails received: {len(mail.messages)}, distinct Message-IDs {len(message_ids)}")
        for label, ok in checks.items():
            print(f"  [{'ok' if ok else 'FAILED'}] {label}")
        for error in server_errors[:10]:
            print(f"  5xx: {error}")
        for crash in crashes[:10]:
            print(f"  crash: {crash}")
        print(f"total time {time.monotonic() - started_at:.0f} s")
        return 0 if all(checks.values()) else 1
    finally:
        stop_processes(processes)
        stop_servers(servers)
        if os.environ.get("SOAK_KEEP") != "1":
            subprocess.run(["rm", "-rf", str(folder)], check=False)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 60)),
                        help="how long the users keep working (default 60, or SOAK_SECONDS)")
    parser.add_argument("--web-workers", type=int, default=2, help="sync workers per gunicorn process")
    args = parser.parse_args(argv)
    return run(args.seconds, args.web_workers)


if __name__ == "__main__":
    sys.exit(main())
