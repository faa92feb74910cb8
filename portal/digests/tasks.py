"""The digests' job: last week's digests for every leader, then a relay of their notifications."""

from ..kernel import jobs
from ..notify import delivery
from .services import make


@jobs.job("digests.make", timeout=3600)
def make_digests():
    """The leaders' weekly digests of last week (``flask --app wsgi digest``), then a relay of what it wrote."""
    made = make()
    delivery.relay()
    return made
