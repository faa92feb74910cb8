"""``flask --app wsgi digest [--week YYYY-Www]``: the leaders' weekly digests on demand."""

import click
from flask.cli import with_appcontext

from ..kernel.db import database
from ..kernel.errors import Invalid


@click.command("digest")
@click.option("--week", help="the ISO week to report on, e.g. 2026-W47 (default: last week)")
@with_appcontext
def digest(week):
    """Make each leader's digest of the week and send it (in-app and e-mail).

    Safe to run again, and beside the worker: a leader who has the week's digest gets no second one.
    """
    from ..notify.delivery import relay
    from . import services

    with database.connection_context():
        try:
            made = services.make(week)
        except Invalid as exc:
            raise click.BadParameter(exc.message, param_hint="--week") from None
        relayed = relay()
    click.echo(f"digests: {made} new")
    click.echo(f"relayed: {relayed}")
