"""Report jobs: started by a user, run by an RQ worker (or at once without Redis), owned by that user.

The job's state and progress live in the ``report_job`` row, so they survive a
worker restart and need no Redis to be read; only its owner ever sees a job.
"""

import datetime
import functools
import logging
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _

from ..auth.models import User
from ..kernel import jobs, quotas
from ..kernel.db import utcnow
from ..kernel.errors import NotFound, Unavailable
from .models import ReportJob

log = logging.getLogger(__name__)
# Finished report files are kept this long, then deleted when the next job starts.
KEEP_FILES = datetime.timedelta(days=7)
# No report job runs longer than its RQ timeout (kernel.jobs: 600 s): a row still "started" this long
# after it was asked for was interrupted (a worker stopped cold, a machine went down) and says so.
RUNS_AT_MOST = datetime.timedelta(minutes=15)


def reports_folder(app=None):
    """Where finished report files are kept (instance/reports/)."""
    folder = Path((app or current_app).instance_path) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune(now=None):
    """Delete the files of jobs finished more than KEEP_FILES ago; their download then answers 404."""
    limit = (now or utcnow()) - KEEP_FILES
    old = list(ReportJob.select().where(ReportJob.finished_at < limit, ReportJob.file_path != ""))
    for job in old:
        Path(job.file_path).unlink(missing_ok=True)
    if old:
        ReportJob.update(file_path="").where(ReportJob.id.in_([job.id for job in old])).execute()
    return len(old)


def settle(now=None):
    """Mark the jobs interrupted mid-run failed, so that their owner sees it and may start another."""
    ReportJob.update(state="failed", finished_at=now or utcnow(),
                     error=_("The report was interrupted (its worker stopped). Please start it again.")).where(
        ReportJob.state == "started", ReportJob.created_at < (now or utcnow()) - RUNS_AT_MOST).execute()


def _bounded(user):
    """429 when ``user`` has used their quota of jobs, already has ``quotas.running_jobs_per_user`` jobs
    queued or running, or the queue holds ``quotas.queued_jobs`` jobs of everyone's (quotas.py)."""
    settings = current_app.config["PORTAL"]["quotas"]
    settle()
    waiting = ReportJob.select().where(ReportJob.state.in_(("queued", "started")),
                                       ReportJob.created_at >= utcnow() - datetime.timedelta(hours=1))
    if settings["running_jobs_per_user"] and \
            waiting.where(ReportJob.user == user.id).count() >= settings["running_jobs_per_user"]:
        raise quotas.TooMany(_("Your previous report is still being made. Please wait until it is ready."), 30)
    if settings["queued_jobs"] and waiting.count() >= settings["queued_jobs"]:
        raise quotas.TooMany(_("Many reports are being made just now. Please try again in a minute."), 60)
    quotas.use("jobs", user)


def start(user, kind, params, task):
    """Record a job for ``user`` and hand the job ``task`` (a name of tasks.py) to the queue, or run it now
    without Redis; return the job's row. 503 when Redis is configured but down (the row says it failed)."""
    prune()
    _bounded(user)
    job = ReportJob.create(user=user.id, kind=kind, params=params)
    try:
        if not jobs.enqueue(task, job.id):
            return ReportJob.get_by_id(job.id)
    except jobs.QueueUnavailable as exc:
        log.warning("reports: the queue is unavailable: %s", exc)
        fail(job.id, _("The job queue is unavailable; nothing was started. Please try again later."))
        raise Unavailable(_("The job queue is unavailable; nothing was started. Please try again later.")) from None
    return job


def report_job(name):
    """Declare the decorated ``body(job, user, report)`` as the job ``name``: it gets the job's row, its
    owner and ``report(percent)`` for its progress (5 % as it starts); a failure is recorded on the row,
    where the user sees it on the progress page."""
    def declare(body):
        @jobs.job(name)
        @functools.wraps(body)
        def run(job_id):
            try:
                job = ReportJob.get_by_id(job_id)
                progress(job_id, 5)
                return body(job, User.get_by_id(job.user_id), lambda percent: progress(job_id, percent))
            except Exception as exc:  # the job records what went wrong
                log.exception("reports: job %s failed", job_id)
                fail(job_id, _("The report could not be made: %(error)s", error=type(exc).__name__))
        return run
    return declare


def progress(job_id, percent, state="started"):
    """Record how far the job is (0–100)."""
    ReportJob.update(progress=int(percent), state=state).where(ReportJob.id == job_id).execute()


def finish(job_id, path, name, result):
    """Record the finished job's file and result."""
    ReportJob.update(state="finished", progress=100, file_path=str(path), file_name=name, result=result,
                     finished_at=utcnow()).where(ReportJob.id == job_id).execute()


def fail(job_id, message):
    ReportJob.update(state="failed", error=message, finished_at=utcnow()).where(ReportJob.id == job_id).execute()


def job_of(user, job_id):
    """The job ``job_id`` if it belongs to ``user``; NotFound otherwise (another user's job does not exist)."""
    settle()
    job = ReportJob.get_or_none((ReportJob.id == job_id) & (ReportJob.user == user.id))
    if job is None:
        raise NotFound(_("There is no such job, or it is not yours."))
    return job


def as_json(job):
    """{"state", "progress", "result", "download"} as docs/interfaces.md describes a job."""
    download = url_for("reports.job_download", job_id=job.id) if job.state == "finished" and job.file_path else None
    result = job.result
    if job.state == "failed":
        result = {"error": job.error}
    return {"id": job.id, "kind": job.kind, "state": job.state, "progress": job.progress, "result": result,
            "download": download}
