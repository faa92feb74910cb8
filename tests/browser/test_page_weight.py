"""The weight of a home board as Chromium measures it: the first load with an empty cache under 100 kB
on the wire, static files compressed and cached for a year, and a second load that fetches none of them.

Run with ``-s`` to see the figures (each file: as served, compressed body, bytes on the wire).
"""

import pytest
from playwright.sync_api import expect

from .conftest import serve

LIMIT = 100_000  # bytes on the wire for a board's first load (issue 14)
YEAR = "max-age=31536000"

# What the browser measured for the document and every resource it fetched (Resource Timing):
# transferSize = headers + body as sent, encodedBodySize = the body as sent, decodedBodySize = as used.
ENTRIES = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map(entry => ({url: entry.name, transfer: entry.transferSize, encoded: entry.encodedBodySize,
                  decoded: entry.decodedBodySize}))"""


@pytest.fixture
def live_server(make_app):
    """The whole demo (items, petitions, knowledge base…), so that each board shows real panels."""
    from portal import demo

    with serve(make_app(), demo.seed) as server:
        yield server


class ServedPaths:
    """WSGI middleware: the paths of the requests that reached the server."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.wsgi_app(environ, start_response)


def load(page, url):
    """Navigate to ``url`` and wait until the page has fetched everything it fetches by itself."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate(ENTRIES)


def report(username, entries, base):
    print(f"\n{username}: home board, first load with an empty cache")
    print(f"  {'resource':<48} {'served':>8} {'body sent':>10} {'on wire':>8}")
    for entry in entries:
        name = entry["url"].removeprefix(base).split("?")[0] or "/"
        print(f"  {name:<48} {entry['decoded']:>8} {entry['encoded']:>10} {entry['transfer']:>8}")
    print(f"  {'total':<48} {sum(e['decoded'] for e in entries):>8} {sum(e['encoded'] for e in entries):>10} "
          f"{sum(e['transfer'] for e in entries):>8}")


@pytest.mark.parametrize("username", ["supervisor", "leader", "handler"])
def test_a_boards_first_load_is_light_and_its_second_fetches_no_static_file(open_as, live_server, username):
    page = open_as(username)
    expect(page.locator("main")).to_be_visible()
    base = live_server.url
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")  # signing in loaded the same files: start empty
    responses = {}
    page.on("response", lambda response: responses.__setitem__(response.url, response))

    first = load(page, f"{base}/")
    report(username, first, base)
    statics = [entry for entry in first if entry["url"].startswith(f"{base}/static/")]
    assert {entry["url"].split("?")[0].removeprefix(base) for entry in statics} >= {
        "/static/css/portal.css", "/static/js/portal.js", "/static/vendor/htmx-2.0.11.min.js"}
    assert all(entry["transfer"] > entry["encoded"] > 0 for entry in first), "everything came over the network"
    total = sum(entry["transfer"] for entry in first)
    assert total < LIMIT, f"{username}'s board weighs {total} bytes on the wire"

    document = responses[f"{base}/"]
    assert document.header_value("content-encoding") in ("br", "gzip")
    for entry in statics:
        headers = responses[entry["url"]].all_headers()
        assert "?v=" in entry["url"], entry["url"]
        if entry["decoded"] > 1000:  # below that compression saves nothing (the icon)
            assert headers["content-encoding"] in ("br", "gzip"), entry["url"]
            assert entry["encoded"] < entry["decoded"] / 2, entry["url"]
        assert YEAR in headers["cache-control"] and "immutable" in headers["cache-control"], entry["url"]

    served = ServedPaths(live_server.app.wsgi_app)
    live_server.app.wsgi_app = served
    second = load(page, f"{base}/")
    again = {entry["url"]: entry for entry in second}
    for entry in statics:
        cached = again[entry["url"]]
        assert cached["transfer"] == 0 and cached["decoded"] == entry["decoded"], entry["url"]
    assert served.paths and not [path for path in served.paths if path.startswith("/static/")]
    print(f"  second load: {sum(entry['transfer'] for entry in second)} bytes on the wire "
          f"(static files from the cache; requests that reached the server: {served.paths})")
