"""The work of each report job, called by worker.tasks (in the worker) or directly (no Redis)."""

import datetime

from ..auth.models import User
from ..stats.periods import Period
from . import circular, jobs
from .models import ReportJob


def make_circular(job_id):
    """Write the circular (督查通报) DOCX of the job's period, reporting progress on the job."""
    job = ReportJob.get_by_id(job_id)
    jobs.progress(job_id, 5)
    user = User.get_by_id(job.user_id)
    period = Period(datetime.date.fromisoformat(job.params["from"]), datetime.date.fromisoformat(job.params["to"]))
    path = jobs.reports_folder() / f"circular-{job_id}.docx"
    summary = circular.write(user, period, path, lambda percent: jobs.progress(job_id, percent))
    name = f"督查通报-{period.start.isoformat()}-{period.end.isoformat()}.docx"
    jobs.finish(job_id, path, name, summary)


def import_key_tasks(job_id):
    """Import the job's uploaded key-task workbook, reporting progress; the row report is the job's result."""
    from . import imports

    job = ReportJob.get_by_id(job_id)
    jobs.progress(job_id, 5)
    user = User.get_by_id(job.user_id)
    path = jobs.reports_folder() / job.params["file"]
    result = imports.import_rows(user, path.read_bytes(), job_id, lambda percent: jobs.progress(job_id, percent))
    path.unlink(missing_ok=True)
    jobs.finish(job_id, "", "", result)
