"""The digest tests use the notification tests' SMTP server."""

from tests.notify.conftest import smtp_server  # noqa: F401 (a fixture)
