"""``flask --app wsgi remind``: the reminder scan on demand (the worker runs it daily)."""

import datetime

import click
from flask.cli import with_appcontext

from ..kernel.db import database


@click.command("remind")
@click.option("--date", "day", help="scan as if today were this date (YYYY-MM-DD)")
@with_appcontext
def remind(day):
    """Write today's reminders (deadline near, feedback due, overdue, escalation) and send them.

    Safe to run again: a reminder already written today is not written twice.
    """
    from .delivery import relay
    from .reminders import scan

    today = None
    if day:
        try:
            today = datetime.date.fromisoformat(day)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
    with database.connection_context():
        counts = scan(today)
        relayed = relay()
    if not counts:
        click.echo("not a working day: no reminders")
    for kind, count in counts.items():
        click.echo(f"{kind}: {count} new")
    click.echo(f"relayed: {relayed}")
