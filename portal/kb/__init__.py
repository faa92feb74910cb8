"""The knowledge base (知识库, docs/knowledge.md): articles with revisions, Markdown rendered by a job,
attachments whose text is extracted by a job, and the kb-reindex command."""

import click
from flask.cli import with_appcontext

from ..kernel import hooks


def init_app(app):
    from . import api, search, tasks, views  # noqa: F401  (tasks: the jobs declare themselves)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(kb_reindex)
    from ..kernel.files import keeps_files
    from .models import ArticleAttachment

    keeps_files(ArticleAttachment.sha256)
    search.register()
    hooks.openapi.add("kb", (api.OPENAPI_PATHS, {}))
    app.jinja_env.globals["required_reading"] = _required_reading
    from flask_babel import lazy_gettext as _l

    from ..notify.messages import Kind
    from .reading import REMINDER_KIND

    hooks.notification_kinds.add(REMINDER_KIND, Kind(_l("Required reading not read yet"), link=_link, page=_page))


def _article_of(outbox_row):
    return (outbox_row.data or {}).get("article") if outbox_row is not None else None


def _page(notification):
    """The article a reading reminder is about (the knowledge base when its outbox row is gone)."""
    from flask import url_for

    article_id = _article_of(notification.outbox)
    return url_for("kb.view", article_id=article_id) if article_id else url_for("kb.index")


def _link(row):
    """The absolute address of the article an outbox row reminds of (from app.base_url, like item links)."""
    from flask import current_app, url_for

    base_url = current_app.config["PORTAL"]["app"]["base_url"] or "http://localhost/"
    with current_app.test_request_context("/", base_url=base_url):
        return url_for("kb.view", article_id=_article_of(row), _external=True)


def _required_reading():
    """The signed-in user's unread required articles (for the home board)."""
    from flask_login import current_user

    from .reading import required_unread

    return required_unread(current_user) if current_user.is_authenticated else []


@click.command("kb-reindex")
@with_appcontext
def kb_reindex():
    """Retry failed text extractions (articles' and items' attachments), render unrendered articles, rebuild
    the search index."""
    from ..items.attachments import retry_extraction
    from ..kernel.db import database
    from ..search.index import reindex_all
    from .attachments import retry_failed
    from .models import Article
    from .render import render_article

    with database.connection_context():
        retried = retry_failed() + retry_extraction()
        rendered = 0
        for (article_id,) in Article.select(Article.id).where(
                Article.rendered_revision.is_null() | (Article.rendered_revision != Article.revision)).tuples():
            rendered += bool(render_article(article_id))
        counts = reindex_all()
    click.echo(f"attachments retried: {retried}; articles rendered: {rendered}; "
               + "; ".join(f"{kind} indexed: {n}" for kind, n in counts.items()))
