"""The scheduled jobs in the benchmark (issue 14): the reminder scan and the leaders' weekly digests.

Each runs twice on the benchmark's database: first as the worker's schedule
meets it, then again the same day, when everything it writes is written
already (the dedupe keys, the one digest per leader and week). The outbox
relay is not timed. What the runs wrote is removed afterwards, and the
items handed to the extra leaders go back to the benchmark's leader, so a
kept database (``--keep``) measures the same the next time.
"""

import datetime
import logging
import time

from portal.kernel.db import database, is_postgres
from tests.querycount import count_queries

LEADERS = 8  # a large office's leaders, each over an eighth of the items


def _add_leaders():
    """Leaders leader02…leader08 beside the benchmark's ``leader``, each given every eighth item."""
    from portal.auth.models import Department, User, UserRole
    from portal.items.models import Item

    office = Department.get(Department.code == "office").id
    first = User.get(User.username == "leader").id
    ids = [first]
    for n in range(2, LEADERS + 1):
        user, _created = User.get_or_create(username=f"leader{n:02d}",
                                            defaults={"display_name": f"领导{n}", "department": office})
        UserRole.get_or_create(user=user.id, role="leader", defaults={"origin": "local"})
        ids.append(user.id)
    remainder = Item.id - Item.id / LEADERS * LEADERS  # of the id by LEADERS (peewee's % means LIKE)
    with database.atomic():
        for n, leader in enumerate(ids[1:], start=1):
            Item.update(leader=leader).where(Item.leader == first, remainder == n).execute()
    _vacuum("item")
    return ids


def _give_back(leaders):
    from portal.items.models import Item

    with database.atomic():
        Item.update(leader=leaders[0]).where(Item.leader.in_(leaders[1:])).execute()
    _vacuum("item", "outbox")


def _vacuum(*tables):
    """What autovacuum does soon after so many changes: PostgreSQL's tables without their dead rows."""
    if is_postgres():
        for table in tables:
            database.execute_sql(f"VACUUM ANALYZE {table}")


def _timed(job):
    logger = logging.getLogger("portal")
    level = logger.level
    logger.setLevel(logging.WARNING)  # each job logs its counts: the table gives them
    try:
        with count_queries() as statements:
            begin = time.perf_counter()
            result = job()
            seconds = time.perf_counter() - begin
    finally:
        logger.setLevel(level)
    return seconds, len(statements), result


def _working_day(day):
    from portal.calendar import is_workday

    while not is_workday(day):  # the scan writes nothing on a day off
        day -= datetime.timedelta(days=1)
    return day


def measure(app):
    """Time the reminder scan and the digest maker, each twice; print a markdown table."""
    from portal.digests.models import Digest
    from portal.digests.services import last_week, make
    from portal.notify.models import Outbox
    from portal.notify.reminders import scan

    with app.app_context(), database.connection_context():
        today = _working_day(datetime.date.today())
        week = last_week(today)
        leaders = _add_leaders()
        last_outbox = Outbox.select(Outbox.id).order_by(Outbox.id.desc()).scalar() or 0
        last_digest = Digest.select(Digest.id).order_by(Digest.id.desc()).scalar() or 0
        try:
            scans = [_timed(lambda: scan(today)) for _run in range(2)]
            digests = [_timed(lambda: make(week, today)) for _run in range(2)]
        finally:
            Outbox.delete().where(Outbox.id > last_outbox).execute()
            Digest.delete().where(Digest.id > last_digest).execute()
            _give_back(leaders)
    print(f"\nScheduled jobs on {today} (digest of {week}, {len(leaders)} leaders); the outbox relay is not "
          "included.\n")
    print("| job | first run s | second run s | statements | rows written |\n| --- | --- | --- | --- | --- |")
    (first, first_sql, counts), (second, second_sql, again) = scans
    print(f"| reminder scan | {first:.2f} | {second:.2f} | {first_sql} / {second_sql} "
          f"| {sum(counts.values()):,} / {sum(again.values()):,} outbox |")
    (first, first_sql, made), (second, second_sql, made_again) = digests
    print(f"| leaders' digests | {first:.2f} | {second:.2f} | {first_sql} / {second_sql} "
          f"| {made} / {made_again} digests (and as many outbox) |")
    print("\nReminders of the first scan: " + ", ".join(f"{kind} {n:,}" for kind, n in counts.items()))
