"""Working days (工作日): the holiday calendar kept in the database, with a small cache."""

from .service import (HORIZON_YEARS, add_working_days, import_table, invalidate, is_workday, latest_allowed_date,
                      local_today, seed_known_years, working_days_between, year_status)


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
    app.add_template_global(latest_allowed_date)


__all__ = ["HORIZON_YEARS", "add_working_days", "import_table", "invalidate", "is_workday", "latest_allowed_date",
           "local_today", "seed_known_years", "working_days_between", "year_status"]
