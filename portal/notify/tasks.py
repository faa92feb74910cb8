"""The notifications' jobs: deliver one outbox row, relay the pending ones, the daily reminder scan."""

from ..kernel import jobs
from . import delivery, reminders


@jobs.job("notify.deliver", queue="notify", inline=delivery.deliver_logged, failure_ttl=delivery.FAILED_JOB_TTL)
def deliver(outbox_id):
    """Deliver one notification on its channels (each channel at most once); raises for RQ to retry."""
    return delivery.deliver(outbox_id)


@jobs.job("notify.relay", queue="notify", timeout=180, result_ttl=60)
def relay():
    """Move pending notifications from the outbox to the queue."""
    return delivery.relay()


@jobs.job("notify.remind", timeout=3600)
def remind():
    """The daily reminder scan, then an immediate relay of what it wrote."""
    counts = reminders.scan()
    delivery.relay()
    return counts
