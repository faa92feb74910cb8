"""The knowledge base's jobs (queue ``kb``): render an article's Markdown, extract an attachment's text.

With Redis the web process enqueues them and ``python -m worker`` runs them;
without Redis (or while Redis is unreachable) they run at once in the caller,
after its transaction: the article itself is already saved either way.
"""

import logging

from redis.exceptions import RedisError

from ..kernel import jobs

log = logging.getLogger(__name__)

QUEUE = "kb"
RENDER_TIMEOUT = 60
EXTRACT_TIMEOUT = 300


def _enqueue(function, *args, timeout):
    queue = jobs.get_queue(QUEUE)
    if queue is not None:
        try:
            queue.enqueue(function, *args, job_timeout=timeout, result_ttl=300, failure_ttl=7 * 24 * 3600,
                          description=f"{function.rsplit('.', 1)[-1]} {args}")
            return True
        except RedisError as exc:
            log.warning("kb: Redis unavailable (%s); running %s inline", exc, function)
    return False


def request_render(article_id):
    """Render the article's current revision: as a job, or now when there is no queue."""
    if not _enqueue("portal.kb.tasks.render", article_id, timeout=RENDER_TIMEOUT):
        render_article(article_id)


def request_extract(attachment_id):
    """Extract the attachment's text: as a job, or now when there is no queue."""
    if not _enqueue("portal.kb.tasks.extract", attachment_id, timeout=EXTRACT_TIMEOUT):
        from .attachments import extract_attachment

        extract_attachment(attachment_id)


def render_article(article_id):
    """Store the sanitized HTML of the article's newest revision (nothing when a newer save overtook it)."""
    from .models import Article
    from .render import render_markdown

    row = Article.select(Article.revision, Article.body).where(Article.id == article_id).first()
    if row is None:
        return False
    html = render_markdown(row.body)
    return (Article.update(html=html, rendered_revision=row.revision)
            .where(Article.id == article_id, Article.revision == row.revision).execute()) == 1


# --- entry points for RQ: ids in, an app context and a database connection around the service ---

def render(article_id):
    from worker.tasks import job_context

    with job_context():
        return render_article(article_id)


def extract(attachment_id):
    from worker.tasks import job_context

    from .attachments import extract_attachment

    with job_context():
        return extract_attachment(attachment_id)
