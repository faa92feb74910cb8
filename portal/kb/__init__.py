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
