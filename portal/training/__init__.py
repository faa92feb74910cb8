"""Trainings (培训, docs/knowledge.md): organised by supervisors, enrolment within capacity and deadline,
attendance, the learning record and an .ics file per training."""

from ..kernel import hooks


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..notify.messages import Kind
    from . import api, reminders, services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    from ..kernel.files import keeps_files
    from .models import TrainingFile

    keeps_files(TrainingFile.sha256)
    hooks.openapi.add("training", (api.OPENAPI_PATHS, {}))
    services.training_url_source()
    hooks.reminder_scans.add(reminders.KIND, reminders.remind_enrolled)
    hooks.notification_kinds.add(reminders.KIND, Kind(_l("Training on the next working day")))
    app.jinja_env.globals["learning_record"] = _learning_record


def _learning_record(user):
    """Articles read, trainings attended and their hours (for the profile)."""
    from ..kb.reading import learning_record as articles_read
    from .services import learning_record as trainings_attended

    trainings, hours = trainings_attended(user)
    return {"articles": articles_read(user), "trainings": trainings, "hours": hours}
