"""The report jobs' bodies: run by the worker, or at once without Redis (jobs.start); a failure is recorded
on the job's row."""

import datetime

from ..kernel.clock import local_today
from ..kernel.errors import Invalid
from ..stats.periods import Period
from .jobs import fail, finish, report_job, reports_folder


@report_job("reports.make_circular")
def make_circular(job, user, report):
    """Write the circular (督查通报) DOCX of the job's period, reporting progress on the job."""
    from . import circular  # python-docx: imported where used, not by every web worker

    period = Period(datetime.date.fromisoformat(job.params["from"]), datetime.date.fromisoformat(job.params["to"]))
    path = reports_folder() / f"circular-{job.id}.docx"
    summary = circular.write(user, period, path, report, requirements=job.params.get("requirements"))
    finish(job.id, path, f"督查通报-{period.start.isoformat()}-{period.end.isoformat()}.docx", summary)


@report_job("reports.import_key_tasks")
def import_key_tasks(job, user, report):
    """Import the job's uploaded key-task workbook, reporting progress; the row report is the job's result."""
    from . import imports  # openpyxl: imported where used

    path = reports_folder() / job.params["file"]
    returned = []
    try:
        result = imports.import_rows(user, path.read_bytes(), job.id, report, returned)
    except Invalid as exc:  # the file refused as a whole: the job says why, nothing was imported
        fail(job.id, exc.message)
        return
    finally:
        path.unlink(missing_ok=True)
    if not returned:
        finish(job.id, "", "", result)
        return
    # The rejected rows offered back as a workbook to fix and import again.
    back = reports_folder() / f"import-rejected-{job.id}.xlsx"
    with imports.rejected_workbook(returned) as handle:
        back.write_bytes(handle.read())
    finish(job.id, back, f"未导入的行-{local_today().isoformat()}.xlsx", result)
