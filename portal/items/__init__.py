"""The supervision item (督办事项): lifecycle, permissions, timeline, API."""


def init_app(app):
    """Register the item pages, the item API, delegations, what items add to the registries and the labels and filters templates use."""
    from ..kernel import hooks
    from ..kernel.files import keeps_files
    from ..kernel.i18n import translated_globals
    from . import api, delegations, labels, openapi, search, services, tasks, views  # noqa: F401  (tasks: jobs)
    from .models import Attachment

    for blueprint in (views.bp, api.bp, delegations.bp):
        app.register_blueprint(blueprint)
    keeps_files(Attachment.sha256)
    search.register()
    hooks.access_changed.add("follows", services.end_unseen_follows)
    hooks.openapi.add("items", (openapi.paths, openapi.SCHEMAS))
    app.jinja_env.globals.update(translated_globals(labels.template_globals()))
    app.jinja_env.filters["filesize"] = _filesize
    app.jinja_env.filters["stars"] = lambda score: (str(score), f"{score} " + "★" * score)


def _filesize(size):
    """A file size for people: 812 B, 14.2 KB, 3.1 MB."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
