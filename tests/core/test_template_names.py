"""Template context names mean one thing everywhere: a blueprint never shadows a global label dictionary."""

import pytest
from flask import render_template_string

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize("path", ["/profile", "/admin/users", "/admin/calendar", "/items"])
def test_source_labels_are_the_item_sources_on_every_page(app, path):
    from portal.items.labels import SOURCE_LABELS

    with app.test_request_context(path):
        assert render_template_string("{{ source_labels['meeting'] }}") == str(SOURCE_LABELS["meeting"])


@pytest.mark.parametrize("path", ["/profile", "/admin/users"])
def test_account_source_labels_on_the_account_pages(app, path):
    from portal.auth.roles import SOURCE_LABELS

    with app.test_request_context(path):
        assert render_template_string("{{ account_source_labels['ldap'] }}") == str(SOURCE_LABELS["ldap"])


def test_calendar_source_labels_on_the_calendar_page(app):
    from portal.calendar.views import SOURCE_LABELS

    with app.test_request_context("/admin/calendar"):
        assert render_template_string("{{ calendar_source_labels['import'] }}") == str(SOURCE_LABELS["import"])
