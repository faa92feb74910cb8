"""Sign-in commands: ``flask --app wsgi ldap-sync`` and ``create-token USERNAME``."""

import click
from flask.cli import with_appcontext

from ..kernel.db import database
from .directory import DirectoryUnavailable


def init_app(app):
    for command in (ldap_sync, create_token):
        app.cli.add_command(command)


@click.command("ldap-sync")
@with_appcontext
def ldap_sync():
    """Refresh every directory user, deactivate those gone from it, print what changed."""
    from .sync import ldap_sync as sync

    with database.connection_context():
        try:
            lines = sync()
        except DirectoryUnavailable as exc:
            raise click.ClickException(f"the directory is unavailable: {exc}") from None
    for line in lines:
        click.echo(line)
    click.echo(f"ldap-sync: {len(lines)} change(s)" if lines else "ldap-sync: nothing changed")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="", help="what the token is for")
@click.option("--expires", default="never", show_default=True, metavar="30|90|365|never|YYYY-MM-DD",
              help="when the token stops working: after so many days, never, or at the end of a date")
@with_appcontext
def create_token(username, name, expires):
    """Create a personal API token for USERNAME; the token alone is the last line printed."""
    from ..kernel.errors import Invalid
    from .models import User
    from .tokens import create_token as create, parse_expiry

    with database.connection_context():
        user = User.get_or_none(User.username == username)
        if user is None or not user.active:
            raise click.ClickException(f"no active user {username}")
        choice = expires.strip()
        try:
            expires_at = parse_expiry("date", choice) if choice[:1].isdigit() and "-" in choice \
                else parse_expiry(choice)
        except Invalid as exc:
            raise click.ClickException(f"--expires: {next(iter(exc.fields.values()), exc.message)}") from None
        _row, token = create(user, name or "cli", expires_at)
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "without expiry"
    click.echo(f"API token for {username}, valid {until} (shown once; store it now):")
    click.echo(token)
