"""The items' jobs: read an attachment's text for the search (queue ``kb``, beside the knowledge base's
extractions; without Redis it runs at once in the caller, after its transaction)."""

from ..kernel import jobs
from . import attachments


@jobs.job("items.extract", queue="kb", timeout=300, inline_when_down=True, result_ttl=300,
          failure_ttl=7 * 24 * 3600)
def extract(attachment_id):
    """Extract an attachment's text (in a child process with limits) and index its item."""
    return attachments.extract_text(attachment_id)
