"""Working days (工作日): the holiday calendar kept in the database, with a small cache."""

from ..kernel.clock import latest_allowed_date
from .services import (add_working_days, import_table, invalidate, is_workday, loaded_at, seed_known_years,
                       working_days_between, year_status)


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
    app.add_template_global(latest_allowed_date)


__all__ = ["add_working_days", "import_table", "invalidate", "is_workday", "loaded_at", "seed_known_years",
           "working_days_between", "year_status"]
