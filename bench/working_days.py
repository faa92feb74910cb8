"""Working-day arithmetic, near and far: `python -m bench.working_days` (SQLite, a few seconds).

Times `working_days_between` and `add_working_days` for spans of a month up to 0001-9999 with
chinese_calendar's years entered, beside the day-by-day loop they replaced (issue 10, finding 1),
and the item page of an item due 9999-12-31 against one due next month (cold calendar cache).
"""

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.kernel.db import database  # noqa: E402
from portal.migrations import upgrade  # noqa: E402
from tests.conftest import log_in  # noqa: E402
from tests.querycount import count_queries  # noqa: E402

D = datetime.date


def day_by_day(a, b, is_workday):
    """The loop the portal used before: one step per day."""
    count, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count


def timed(func, runs):
    """Median milliseconds of ``runs`` calls and the last result."""
    timings = []
    for _ in range(runs):
        begin = time.perf_counter()
        result = func()
        timings.append((time.perf_counter() - begin) * 1000)
    return statistics.median(timings), result


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.working_days", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="calls per measurement")
    parser.add_argument("--loop-years", type=int, default=100,
                        help="the longest span the day-by-day loop is timed on (it grows linearly)")
    args = parser.parse_args()
    from portal import calendar, demo
    from portal.auth.models import User
    from portal.calendar import services as service
    from portal.items import actions, services
    from portal.items.models import Item
    from portal.kernel import clock

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"app": {"secret_key": "bench", "demo": False}, "database": {"url": f"sqlite:///{tmp}/b.db"}})
        with app.test_request_context(), database.connection_context():
            upgrade()
            demo.seed_people()
            years = calendar.seed_known_years(2004)
            today = clock.local_today()
            print(f"# Working days, {today}: {len(years)} years entered ({years[0]}-{years[-1]}), "
                  f"{args.runs} calls per row\n")
            print("| span | working days | fast ms | day-by-day ms |\n| --- | --- | --- | --- |")
            for label, end in (("a month", today + datetime.timedelta(days=30)),
                               ("a year", today + datetime.timedelta(days=365)),
                               (f"{args.loop_years} years", today.replace(year=today.year + args.loop_years)),
                               ("to 9999-12-31", D.max)):
                fast, count = timed(lambda: calendar.working_days_between(today, end), args.runs)
                if (end - today).days <= args.loop_years * 366:
                    loop_runs = max(1, args.runs // 20)
                    slow, loop_count = timed(lambda: day_by_day(today, end, calendar.is_workday), loop_runs)
                    assert loop_count == count, (label, loop_count, count)
                    slow_text = f"{slow:.3f}"
                else:
                    slow_text = "not run (linear: see above)"
                print(f"| {label} | {count:,} | {fast:.4f} | {slow_text} |")
            fast, _ = timed(lambda: calendar.add_working_days(today, 2_000_000), args.runs)
            print(f"| add_working_days(today, 2,000,000) | – | {fast:.4f} | – |")
            cold, _ = timed(lambda: (service.invalidate(), calendar.is_workday(today)), 20)
            print(f"\nLoading the calendar (cold cache, two queries): {cold:.2f} ms\n")

            supervisor = User.get(User.username == "supervisor")
            numbers = []
            for title in ("下月到期", "远期事项"):
                item = services.create_item(supervisor, {
                    "title": title, "source_type": "meeting", "lead_department": "property", "leader": "leader",
                    "deadline": (today + datetime.timedelta(days=30)).isoformat()})
                actions.perform(supervisor, item, "dispatch", {"version": item.version})
                numbers.append(item.number)
            Item.update(deadline=D.max).where(Item.number == numbers[1]).execute()
        client = app.test_client()
        log_in(client, "supervisor")
        print("| item page (cold calendar cache) | p50 ms | queries |\n| --- | --- | --- |")
        for label, number in (("due next month", numbers[0]), ("due 9999-12-31", numbers[1])):
            def view():
                with app.app_context():
                    service.invalidate()
                with count_queries() as statements:
                    assert client.get(f"/items/{number}").status_code == 200
                return len(statements)
            ms, queries = timed(view, max(5, args.runs // 10))
            print(f"| {label} | {ms:.1f} | {queries} |")


if __name__ == "__main__":
    main()
