"""Command-line tools: ``flask --app wsgi <command>``."""

import subprocess
import sys
import tarfile

import click
from flask.cli import with_appcontext

from .kernel.db import database


def init_app(app):
    for command in (init_db, seed_demo, create_user, backup, restore, sweep_uploads):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    from .calendar import seed_known_years
    from .migrations import upgrade

    with database.connection_context():
        applied = upgrade()
        seed_known_years()
    click.echo(f"database upgraded: {', '.join(map(str, applied))}" if applied else "database is up to date")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo(if_empty):
    """Load the demo data of the mining-district office (accounts with password ``demo``)."""
    from . import demo

    with database.connection_context():
        if if_empty and demo.has_data():
            click.echo("demo data kept: the database already has users")
            return
        summary = demo.seed()
    click.echo(f"demo data loaded: {summary}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="leader, supervisor, handler or admin")
@click.option("--department", "department_code", help="department code")
@click.option("--name", help="display name")
@click.option("--email", default="")
@click.option("--password", help="read from standard input when not given")
@with_appcontext
def create_user(username, roles, department_code, name, email, password):
    """Create a local user; the password comes from --password or standard input."""
    from .auth.users import UserError, create_user as create

    if password is None:
        password = click.prompt("Password", hide_input=True) if sys.stdin.isatty() \
            else sys.stdin.readline().rstrip("\n")
    if not password.strip():
        raise click.ClickException("the password must not be empty")
    with database.connection_context():
        try:
            user = create(username, roles, password=password, department_code=department_code,
                          name=name, email=email)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"created user {user.username} ({', '.join(roles)})")


@click.command("backup")
@click.option("--to", "target", default=None, help="folder for the backup (default instance/backups)")
@with_appcontext
def backup(target):
    """Copy the database and the uploads into a new timestamped folder."""
    from flask import current_app

    from .backup import backup as run_backup
    from .kernel.files import upload_folder

    target = target or f"{current_app.instance_path}/backups"
    with database.connection_context():
        try:
            folder = run_backup(target, upload_folder())
        except subprocess.CalledProcessError as exc:  # pg_dump's own message is the useful part
            raise click.ClickException(f"backup failed: {exc.stderr.strip()}") from None
        except (OSError, RuntimeError) as exc:
            raise click.ClickException(f"backup failed: {exc}") from None
    click.echo(str(folder))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, file_okay=False, path_type=str))
@with_appcontext
def restore(archive):
    """Restore a backup folder (written by ``backup``) into this instance, which must be empty.

    There is no --force: restore never overwrites data. Exit code 2 when the instance is not empty
    (or the folder is not a backup for this database), 1 when the restore or its file check fails."""
    from .backup import RestoreRefused, restore as run_restore
    from .kernel.files import upload_folder

    with database.connection_context():
        try:
            counts, bad = run_restore(archive, upload_folder())
        except RestoreRefused as exc:
            click.echo(f"restore refused: {exc}", err=True)
            sys.exit(2)
        except subprocess.CalledProcessError as exc:
            raise click.ClickException(f"restore failed: {exc.stderr.strip()}") from None
        except (OSError, RuntimeError, tarfile.TarError) as exc:
            raise click.ClickException(f"restore failed: {exc}") from None
    click.echo("restored: {users} users, {items} items, {events} events, {attachments} attachments".format(**counts))
    if bad:
        raise click.ClickException(f"{len(bad)} attachment files are missing or damaged: {', '.join(bad[:10])}")


@click.command("sweep-uploads")
@with_appcontext
def sweep_uploads():
    """Remove uploads whose transaction never committed and stored files no row uses (older than an hour)."""
    from .kernel.files import sweep

    with database.connection_context():
        removed = sweep()
    click.echo(f"removed {removed} orphaned file(s)")
