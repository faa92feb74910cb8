"""The knowledge base (知识库, DESIGN.md §4): articles with revisions, Markdown rendered by a job,
attachments whose text is extracted by a job, and the kb-reindex command."""

import click
from flask.cli import with_appcontext


def init_app(app):
    from . import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(kb_reindex)
    app.extensions.setdefault("openapi_paths", {}).update(api.OPENAPI_PATHS)


@click.command("kb-reindex")
@with_appcontext
def kb_reindex():
    """Retry failed text extractions, render unrendered articles, rebuild the search index."""
    from ..db import database
    from ..search.index import reindex_all
    from .attachments import retry_failed
    from .models import Article
    from .tasks import render_article

    with database.connection_context():
        retried = retry_failed()
        rendered = 0
        for (article_id,) in Article.select(Article.id).where(
                Article.rendered_revision.is_null() | (Article.rendered_revision != Article.revision)).tuples():
            rendered += bool(render_article(article_id))
        counts = reindex_all()
    click.echo(f"attachments retried: {retried}; articles rendered: {rendered}; "
               + "; ".join(f"{kind} indexed: {n}" for kind, n in counts.items()))
