"""The knowledge base's jobs (queue ``kb``): render an article's Markdown, extract an attachment's text.

With Redis the web process enqueues them and ``python -m worker`` runs them; without Redis (or while
Redis is unreachable) they run at once in the caller, after its transaction: the article itself is
already saved either way.
"""

from ..kernel import jobs
from . import attachments, render

KEPT = {"result_ttl": 300, "failure_ttl": 7 * 24 * 3600}


@jobs.job("kb.render", queue="kb", timeout=60, inline_when_down=True, **KEPT)
def render_article(article_id):
    """Store the sanitized HTML of the article's newest revision."""
    return render.render_article(article_id)


@jobs.job("kb.extract", queue="kb", timeout=300, inline_when_down=True, **KEPT)
def extract(attachment_id):
    """Extract an attachment's text (in a child process with limits) and index its article."""
    return attachments.extract_attachment(attachment_id)
