"""``python -m worker``: RQ workers on the portal's queues, plus the schedule.

The schedule (one small process beside the worker) enqueues the outbox relay
every ``notify.relay_interval_seconds``, the reminder scan daily at
``reminders.scan_time`` (in ``app.timezone``), the leaders' weekly digests at
``digest.weekday``/``digest.time``, the sweep of orphaned upload
files hourly and, when LDAP sign-in is on, the directory sync nightly. Several workers on several machines may share one
Redis and one database: every job is safe to run twice.
"""

import argparse
import datetime
import logging
import multiprocessing
import os
import signal
import sys
import time
import zoneinfo

from redis.exceptions import RedisError

from portal import create_app
from portal.kernel import jobs

QUEUES = ("notify", "kb", "default")
LDAP_SYNC_CRON = "30 2 * * *"
SWEEP_CRON = "17 * * * *"  # hourly: orphaned upload files

log = logging.getLogger("worker")

# After SIGTERM the worker lets the job it is running finish (RQ's warm shutdown) for this long at most,
# then stops it (cold shutdown): a job stuck on a slow mail server or a loaded machine must not keep a
# deploy or a restart waiting. Every job is safe to run twice: the relay, reminders and digests are
# enqueued again by the schedule; an interrupted report job is shown failed to its owner, who starts it
# again (reports.jobs.settle).
SHUTDOWN_GRACE_SECONDS = 8


def _worker_class():
    from rq import Worker

    class PromptWorker(Worker):
        """An RQ worker whose warm shutdown lasts SHUTDOWN_GRACE_SECONDS at most."""

        def request_stop(self, signum, frame):
            signal.signal(signal.SIGALRM, self._grace_over)
            signal.alarm(SHUTDOWN_GRACE_SECONDS)
            super().request_stop(signum, frame)

        def _grace_over(self, signum, frame):
            self.log.warning("worker: the current job did not finish within %s s of the stop signal; "
                             "stopping it", SHUTDOWN_GRACE_SECONDS)
            # RQ ignores a second signal within a second of the first; this one is ours, on purpose.
            self._shutdown_requested_date = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
            self.request_force_stop(signum, frame)

    return PromptWorker


def scan_cron(settings):
    """The cron line (this machine's local time, as RQ reads it) for reminders.scan_time in app.timezone."""
    hour, minute = map(int, settings["reminders"]["scan_time"].split(":"))
    zone = _zone(settings)
    today = datetime.datetime.now(zone).date()
    local = datetime.datetime.combine(today, datetime.time(hour, minute), zone).astimezone()
    return f"{local.minute} {local.hour} * * *"


def _zone(settings):
    """The portal's time zone from its settings (the schedule is made before any app context)."""
    return zoneinfo.ZoneInfo(settings["app"]["timezone"])


CRON_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def digest_cron(settings):
    """The cron line (this machine's local time) for digest.weekday at digest.time in app.timezone."""
    hour, minute = map(int, settings["digest"]["time"].split(":"))
    zone = _zone(settings)
    today = datetime.datetime.now(zone).date()
    day = today + datetime.timedelta(days=(CRON_WEEKDAYS.index(settings["digest"]["weekday"]) - today.weekday()) % 7)
    local = datetime.datetime.combine(day, datetime.time(hour, minute), zone).astimezone()
    return f"{local.minute} {local.hour} * * {(local.weekday() + 1) % 7}"  # cron: 0 is Sunday


def run_schedule(app, parent_pid):
    """Enqueue the periodic jobs until the parent worker exits."""
    from rq.cron import CronScheduler

    settings = app.config["PORTAL"]
    connection = _connection(app)
    cron = CronScheduler(connection=connection, name=f"duban-{os.uname().nodename}-{os.getpid()}")

    def every(name, **when):
        declared = jobs.JOBS[name]
        cron.register(jobs.run, declared.queue, args=(name,), name=name, job_timeout=declared.timeout,
                      **{**declared.options, **when})

    every("notify.relay", interval=settings["notify"]["relay_interval_seconds"])
    every("notify.remind", cron=scan_cron(settings))
    every("files.sweep", cron=SWEEP_CRON)
    every("digests.make", cron=digest_cron(settings))
    if {"ldap", "header"} & set(settings["auth"]["backends"]):  # header SSO reads the directory too
        every("auth.ldap_sync", cron=LDAP_SYNC_CRON)
    while os.getppid() == parent_pid:
        try:
            cron.enqueue_jobs()
        except RedisError as exc:  # Redis away: keep the schedule, try again shortly
            log.warning("schedule: Redis unavailable (%s); retrying", exc)
            time.sleep(5)
            continue
        time.sleep(min(cron.calculate_sleep_interval(), 1.0))


def _connection(app):
    return jobs.redis_connection(app)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m worker",
                                     description="RQ workers on the portal's queues, plus the schedule.")
    parser.add_argument("--burst", action="store_true", help="run the queued jobs, then exit")
    parser.add_argument("--no-schedule", action="store_true",
                        help="do not run the schedule here (another machine does)")
    parser.add_argument("--queues", nargs="+", default=list(QUEUES), help="queues to listen on, in priority order")
    args = parser.parse_args(argv)

    # Each job runs in a forked process: a pooled connection must never cross a fork.
    os.environ["PORTAL_DATABASE_POOL_SIZE"] = "0"
    app = create_app()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    connection = _connection(app)
    if connection is None:
        print("worker: redis.url is empty, so jobs run inline in the web process and no worker is needed",
              file=sys.stderr)
        return 2

    Worker = _worker_class()
    jobs.use_app(app)
    schedule = None
    if not args.no_schedule and not args.burst:
        schedule = multiprocessing.get_context("fork").Process(
            target=run_schedule, args=(app, os.getpid()), name="duban-schedule", daemon=True)
        schedule.start()
    try:
        worker = Worker(args.queues, connection=connection)
        worker.work(burst=args.burst, with_scheduler=True)
    finally:
        if schedule is not None:
            schedule.terminate()
            schedule.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
