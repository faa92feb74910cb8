"""The speed benchmark of docs/quality.md: `make bench` (or `python -m bench --help`).

Fills a fresh database (SQLite file and a throwaway PostgreSQL cluster) with
ten years of a large office — by default 100,000 items and a million events —
then requests every board, list and statistics page many times through the
Flask app (server-side time: routing, queries, rendering) and prints p50/p95
and the number of SQL statements per request.
"""

import argparse
import datetime
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import jobs as jobs_bench, kb as kb_bench  # noqa: E402
from bench.bulk import BATCH, flush, settle  # noqa: E402
from portal import create_app  # noqa: E402
from portal.kernel import changes
from portal.kernel.db import database  # noqa: E402
from portal.migrations import upgrade  # noqa: E402
from tests.conftest import log_in  # noqa: E402
from tests.querycount import count_queries  # noqa: E402
from tests.servers import PostgresServer  # noqa: E402

YEARS = 10
# After the dispatch, an item's events: mostly progress reports, some urges, instructions, acknowledgements
# and returns (the feed's kinds); a closed item's last event is the leader's approval.
EVENT_ACTIONS = ["report", "urge", "instruct", "acknowledge", "return", "request_extension"]
EVENT_WEIGHTS = [70, 10, 6, 5, 3, 6]


def generate(n_items, events_per_item, seed=7):
    """Insert departments, people, items, co-departments and events in bulk."""
    from portal import demo
    from portal.auth.models import Department, User
    from portal.items.models import OPEN_STATES, SOURCE_TYPES, Item, ItemCoDepartment, ItemEvent, NumberSequence

    rng = random.Random(seed)
    demo.seed_people()
    for i in range(33):
        Department.get_or_create(code=f"dept{i:02d}", defaults={"name": f"第{i + 1}分公司"})
    departments = [d.id for d in Department.select()]
    leader = User.get(User.username == "leader").id
    supervisor = User.get(User.username == "supervisor").id

    today = datetime.date.today()
    first_year = today.year - YEARS + 1
    per_year = -(-n_items // YEARS)
    # About 5,000 items open of 100,000: past years' items are nearly all finished, this year's 40 % open.
    past_states = ["closed"] * 90 + ["cancelled"] * 9 + ["in_progress"]
    this_year_states = list(OPEN_STATES) * 2 + ["closed"] * 14 + ["draft"]
    rows, co_rows, event_rows = [], [], []
    item_id = 0
    start = time.perf_counter()
    with database.atomic():
        for year in range(first_year, today.year + 1):
            count = min(per_year, n_items - item_id)
            for seq in range(1, count + 1):
                item_id += 1
                created = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(0, 360))
                if created > today:
                    created = today - datetime.timedelta(days=rng.randrange(0, 30))
                state = rng.choice(past_states if year < today.year else this_year_states)
                deadline = created + datetime.timedelta(days=rng.choice([15, 20, 30, 60, 90]))
                rows.append({
                    "id": item_id, "number": f"DB-{year}-{seq:04d}", "title": f"重点工作事项 {year}-{seq}",
                    "content": "按期完成并报送进展", "source_type": rng.choice(SOURCE_TYPES),
                    "level": rng.choice(["major", "important", "normal", "normal"]),
                    "lead_department": rng.choice(departments), "leader": leader, "supervisor": supervisor,
                    "deadline": deadline, "state": state, "progress": rng.randrange(0, 101),
                    "created_by": supervisor, "created_at": datetime.datetime.combine(created, datetime.time(9)),
                    "dispatched_at": None if state == "draft" else datetime.datetime.combine(created, datetime.time(11)),
                    "feedback_cycle_days": rng.choice([0, 7, 30]),
                    "next_feedback_due": created + datetime.timedelta(days=rng.choice([7, 30, 60])),
                    "closed_at": datetime.datetime.combine(deadline, datetime.time(17)) if state == "closed" else None,
                    "closed_on_time": rng.random() < 0.8 if state == "closed" else None,
                    "score": rng.randrange(3, 6) if state == "closed" else None,
                })
                if rng.random() < 0.3:
                    co_rows.append({"item": item_id, "department": rng.choice(departments)})
                for k in range(events_per_item):
                    action = "dispatch" if k == 0 else rng.choices(EVENT_ACTIONS, EVENT_WEIGHTS)[0]
                    to_state = "in_progress"
                    if k == events_per_item - 1 and state == "closed":
                        action, to_state = "approve", "closed"
                    event_rows.append({
                        "item": item_id, "actor": leader if action in ("instruct", "approve") else supervisor,
                        "action": action, "from_state": "in_progress", "to_state": to_state,
                        "comment": "进展情况良好", "data": {},
                        "created_at": datetime.datetime.combine(created, datetime.time(10))
                        + datetime.timedelta(days=k),
                    })
                if len(event_rows) >= BATCH * 4:
                    flush(Item, rows), flush(ItemCoDepartment, co_rows), flush(ItemEvent, event_rows)
            NumberSequence.insert(year=year, last=count).execute()
        flush(Item, rows), flush(ItemCoDepartment, co_rows), flush(ItemEvent, event_rows)
    settle(["item", "item_event", "item_co_department"])
    return time.perf_counter() - start


PAGES = [
    # (user, path, what it is)
    ("leader", "/", "leader home board"),
    ("supervisor", "/", "supervisor home board"),
    ("handler", "/", "handler home board"),
    ("supervisor", "/items", "item list, page 1"),
    ("supervisor", "/items?light=red", "item list, red only"),
    ("supervisor", "/items?state=in_progress&department=property&sort=deadline", "item list, filtered"),
    ("supervisor", "/items?department=dept07", "item list, one department"),
    ("supervisor", "/items?q=重点工作事项", "item list, text search"),
    ("supervisor", "/items?page=50", "item list, page 50"),
    ("handler", "/items", "item list as handler"),
    ("supervisor", "/items/{number}", "item page (10 events)"),
    ("supervisor", "/api/v1/items?light=yellow&per_page=50", "API list, yellow"),
    ("leader", "/stats?period=year", "statistics, this year"),
    ("leader", "/api/v1/stats/departments?from={year}-01-01&to={year}-12-31", "API statistics, a year"),
    ("handler", "/notifications", "notifications"),
    ("leader", "/feed", "instruction feed"),
    ("supervisor", "/petitions", "petitions"),
]


# After any change (an action anywhere bumps the boards' counter) a board is computed afresh: these are
# timed with nothing cached (changes.forget() before each request).
FRESH_PAGES = [
    ("leader", "/", "leader home board, after a change (nothing cached)"),
    ("supervisor", "/", "supervisor home board, after a change (nothing cached)"),
    ("handler", "/", "handler home board, after a change (nothing cached)"),
    ("supervisor", "/items", "item list, page 1, after a change (nothing cached)"),
]


def measure(app, runs, extra=None):
    """Request each page ``runs`` times; return rows of (what, status, p50 ms, p95 ms, queries)."""
    results = []
    clients = {}
    year = datetime.date.today().year
    from portal.items.models import Item
    with database.connection_context():
        number = Item.select(Item.number).where(Item.state == "in_progress").order_by(Item.id.desc()).scalar()
    extra = extra or {}
    fresh = {what for _user, _path, what in FRESH_PAGES}
    for username, path, what in PAGES[:3] + FRESH_PAGES + PAGES[3:] + (extra.get("pages") or []):
        client = clients.get(username)
        if client is None:
            client = clients[username] = app.test_client()
            log_in(client, username)
        url = path.format(number=number, year=year, **extra)
        what = what.format(**extra)
        status = client.get(url).status_code
        if status == 404:
            results.append((what, 404, None, None, None))
            continue
        timings = []
        for _ in range(runs):
            if what in fresh:
                changes.forget()
            with count_queries() as statements:
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
            status = response.status_code
        timings.sort()
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        results.append((what, status, statistics.median(timings), p95, len(statements)))
    return results


def run_backend(name, url, args):
    # Each page is asked --runs times by one user: the per-user quotas (for people) are off here.
    no_quotas = {key: 0 for key in ("searches", "exports", "jobs", "uploads", "running_jobs_per_user", "queued_jobs")}
    app = create_app({"app": {"secret_key": "bench", "demo": False}, "database": {"url": url},
                      "quotas": no_quotas})
    with app.app_context(), database.connection_context():
        from portal.items.models import Item

        upgrade()
        if Item.select().exists():  # a database kept by --keep: measure it again
            print(f"\n## {name}: the kept database ({Item.select().count():,} items)\n")
        else:
            seconds = generate(args.items, args.events_per_item)
            kb_seconds, _ = kb_bench.generate(args.articles, args.attachments, args.readers)
            print(f"\n## {name}: {args.items:,} items, {args.items * args.events_per_item:,} events "
                  f"(generated in {seconds:.0f} s); {args.articles:,} articles, {args.attachments:,} attachments, "
                  f"{args.readers:,} readers (and the search index, in {kb_seconds:.0f} s)\n")
        required = kb_bench.required_article()
    extra = {"pages": kb_bench.PAGES, "required": required, "readers": f"{args.readers:,}"}
    print("| page | status | p50 ms | p95 ms | queries |\n| --- | --- | --- | --- | --- |")
    for what, status, p50, p95, queries in measure(app, args.runs, extra):
        if p50 is None:
            print(f"| {what} | {status} | – | – | – |")
        else:
            print(f"| {what} | {status} | {p50:.1f} | {p95:.1f} | {queries} |")
    jobs_bench.measure(app)
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--events-per-item", type=int, default=10)
    parser.add_argument("--runs", type=int, default=40, help="requests per page")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--attachments", type=int, default=40_000)
    parser.add_argument("--readers", type=int, default=2_000, help="handlers an article is required for")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--keep", metavar="FOLDER", type=Path,
                        help="keep the databases in FOLDER, and measure those found there instead of filling new ones")
    args = parser.parse_args()
    print(f"# Duban Portal benchmark, {datetime.date.today()}, {args.runs} requests per page")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("SQLite", f"sqlite:///{args.keep or tmp}/bench.db", args)
    if args.backend in ("postgresql", "both"):
        server = PostgresServer(args.keep / "pg" if args.keep else None).start()
        try:
            if not server.has_database("bench"):
                server.execute("CREATE DATABASE bench")
            run_backend("PostgreSQL", server.url("bench"), args)
        finally:
            if not database.is_closed():
                database.close()
            server.stop()


if __name__ == "__main__":
    main()
