"""Field inspections (实地督查): plan, record findings with photos on a phone, take them up, print the report."""

from ..kernel import hooks


def init_app(app):
    """Register the inspection pages and API, their OpenAPI paths, and the photo table with the upload sweep."""
    from ..kernel.files import keeps_files
    from . import api, search, services, views
    from .models import FindingPhoto

    for blueprint in (views.bp, api.bp):
        app.register_blueprint(blueprint)
    hooks.openapi.add("inspections", (api.OPENAPI_PATHS, {}))
    search.register(services.visible_finding_ids)
    app.jinja_env.globals.update(severity_labels=_severity_labels())
    # The hourly sweep removes stored files no row points to: photos and thumbnails are pointed to here.
    keeps_files(FindingPhoto.sha256)
    keeps_files(FindingPhoto.thumb_sha256)


def _severity_labels():
    from flask_babel import lazy_gettext as _l

    return {"minor": _l("Minor"), "serious": _l("Serious"), "critical": _l("Critical")}
