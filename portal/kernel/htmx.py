"""The only module that reads htmx's request headers: one way to answer page or fragment."""

from flask import make_response, redirect as flask_redirect, render_template, request
from werkzeug.urls import iri_to_uri


def is_htmx():
    """True for an htmx request that wants a fragment (not a boosted navigation nor a history restore)."""
    # A history restore (the back button after hx-push-url) replaces the whole body: it needs the page.
    return (request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


# Requests a page makes by itself (polling, refresh after another change) carry this
# header; they are not a person's activity and do not extend an idle session.
BACKGROUND_HEADER = "X-Portal-Background"


def is_background():
    """True for a request the page made by itself, not one a person asked for."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


def render(page, partial, status=200, **context):
    """Render ``partial`` alone for htmx, else the full ``page`` (which includes the partial)."""
    template = partial if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect(location):
    """Send the browser to ``location``: HX-Redirect for htmx, 303 otherwise."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = iri_to_uri(location)  # a header holds ASCII only
        return response
    return flask_redirect(location, code=303)


def trigger(response, *events):
    """Ask the page to refresh the parts that listen for ``events`` (e.g. board panels)."""
    if events:
        existing = response.headers.get("HX-Trigger")
        names = ([existing] if existing else []) + list(events)
        response.headers["HX-Trigger"] = ", ".join(names)
    return response
