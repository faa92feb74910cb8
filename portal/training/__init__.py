"""Trainings (培训, DESIGN.md §4): organised by supervisors, enrolment within capacity and deadline,
attendance, the learning record and an .ics file per training."""


def init_app(app):
    from . import api, services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    from ..items.attachments import keeps_files
    from .models import TrainingFile

    keeps_files(TrainingFile, TrainingFile.sha256)
    app.extensions.setdefault("openapi_paths", {}).update(api.OPENAPI_PATHS)
    services.training_url_source()
