"""The sign-in feature's job: the nightly directory sync."""

from ..kernel import jobs
from .sync import ldap_sync


@jobs.job("auth.ldap_sync", timeout=3600)
def sync_directory():
    """The directory sync (``flask --app wsgi ldap-sync``)."""
    return ldap_sync()
