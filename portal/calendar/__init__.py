"""Working days (工作日): the holiday calendar kept in the database, with a small cache."""

from .service import (add_working_days, import_table, invalidate, is_workday, local_today, seed_known_years,
                      working_days_between, year_status)



def init_app(app):
    from .views import bp

    app.register_blueprint(bp)


__all__ = ["add_working_days", "import_table", "invalidate", "is_workday", "local_today", "seed_known_years",
           "working_days_between", "year_status"]
