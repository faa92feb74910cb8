"""``flask --app wsgi sweep-uploads``: remove stored files no row points to (the worker runs it hourly)."""

import click
from flask.cli import with_appcontext

from ..kernel.db import database


@click.command("sweep-uploads")
@with_appcontext
def sweep_uploads():
    """Remove uploads whose transaction never committed and stored files no row uses (older than an hour)."""
    from .attachments import sweep

    with database.connection_context():
        removed = sweep()
    click.echo(f"removed {removed} orphaned file(s)")
