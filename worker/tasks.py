"""The job functions RQ runs: each takes ids, opens an app context and a database connection, calls a service.

In the worker the app is the one ``python -m worker`` built (``use_app``); a
plain ``rq worker`` builds it from the configuration on first use; in tests
and inline mode the current app is used.
"""

import contextlib

from flask import has_app_context

from portal.kernel.db import database

_app = None


def use_app(app):
    """Make ``app`` the one jobs run in (the worker calls this once at start)."""
    global _app
    _app = app


@contextlib.contextmanager
def job_context():
    """An app context and an open database connection for one job (closed afterwards if opened here)."""
    global _app
    if has_app_context():
        app_context = contextlib.nullcontext()
    else:
        if _app is None:
            from portal import create_app

            _app = create_app()
        app_context = _app.app_context()
    with app_context:
        opened = database.is_closed()
        if opened:
            database.connect()
        try:
            yield
        finally:
            if opened:
                database.close()


def deliver(outbox_id):
    """Deliver one notification on its channels (each channel at most once)."""
    from portal.notify import delivery

    with job_context():
        return delivery.deliver(outbox_id)


def relay():
    """Move pending notifications from the outbox to the queue."""
    from portal.notify import delivery

    with job_context():
        return delivery.relay()


def remind():
    """The daily reminder scan, then an immediate relay of what it wrote."""
    from portal.notify import delivery, reminders

    with job_context():
        counts = reminders.scan()
        delivery.relay()
        return counts


def digest():
    """The leaders' weekly digests of last week (``flask --app wsgi digest``), then a relay of what it wrote."""
    from portal.digests.services import make
    from portal.notify import delivery

    with job_context():
        made = make()
        delivery.relay()
        return made


def sweep_uploads():
    """Remove orphaned upload files (``flask --app wsgi sweep-uploads``)."""
    from portal.items.attachments import sweep

    with job_context():
        return sweep()


def ldap_sync():
    """The directory sync of the sign-in feature (``flask --app wsgi ldap-sync``)."""
    from portal.auth.sync import ldap_sync as sync

    with job_context():
        return sync()


def make_circular(job_id):
    """Write the circular (督查通报) of a report job (statistics and reports feature)."""
    from portal.reports import jobs

    with job_context():
        jobs.run("make_circular", job_id)


def import_key_tasks(job_id):
    """Import a key-task workbook of a report job (statistics and reports feature)."""
    from portal.reports import jobs

    with job_context():
        jobs.run("import_key_tasks", job_id)
