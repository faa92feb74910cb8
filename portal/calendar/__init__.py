"""Working days (工作日): the holiday calendar kept in the database, with a small cache."""

import click
from flask.cli import with_appcontext

from ..kernel.clock import latest_allowed_date
from .services import (add_working_days, import_table, invalidate, is_workday, loaded_at, seed_known_years,
                       working_days_between, year_status)


def init_app(app):
    from .services import missing_year
    from .views import bp, notes

    app.register_blueprint(bp)
    app.register_blueprint(notes)
    app.add_template_global(latest_allowed_date)
    app.add_template_global(missing_year, "missing_calendar_year")
    app.cli.add_command(calendar_import)


@click.command("calendar-import")
@click.argument("notice", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def calendar_import(notice):
    """Import a State Council notice (lines ``2027-02-10~2027-02-16 春节 休``; docs/configuration.md),
    all or nothing; ``-`` reads standard input."""
    from ..kernel.db import database
    from ..kernel.errors import Invalid
    from .services import import_notice

    with database.connection_context():
        try:
            counts = import_notice(notice.read())
        except Invalid as exc:
            raise click.ClickException(f"{exc.message} {exc.fields.get('notice', '')}")
    click.echo("; ".join(f"{year}: {n} days" for year, n in counts.items()))


__all__ = ["add_working_days", "import_table", "invalidate", "is_workday", "loaded_at", "seed_known_years",
           "working_days_between", "year_status"]
