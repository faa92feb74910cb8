"""Static URLs that change with the file, their cache lifetimes, and what the portal compresses (and when not).

The browser's view of the same (transfer sizes of a board's first and second load) is in
tests/browser/test_page_weight.py.
"""

import gzip
import hashlib
import os
import re

import brotli
import pytest
from flask import url_for

from portal import ROOT
from portal.kernel.assets import content_hash

YEAR = "max-age=31536000"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: nothing here depends on the database."""
    return f"sqlite:///{tmp_path / 'portal.db'}"


def sha12(data):
    return hashlib.sha256(data).hexdigest()[:12]


def static_url(app, filename):
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_a_static_url_changes_with_the_file_and_a_stale_one_still_serves_it(app, client, tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "site.css"
    sheet.write_bytes(b"body { color: black; }\n")
    app.static_folder = str(folder)

    first = static_url(app, "css/site.css")
    assert first == f"/static/css/site.css?v={sha12(sheet.read_bytes())}"
    assert static_url(app, "css/site.css") == first  # the same file, the same URL

    navy = b"body { color: navy; }\n"
    sheet.write_bytes(navy)  # same size: the modification time tells
    later = sheet.stat().st_mtime_ns + 1_000_000_000
    os.utime(sheet, ns=(later, later))
    second = static_url(app, "css/site.css")
    assert second == f"/static/css/site.css?v={sha12(navy)}" and second != first

    current = client.get(second)
    assert current.status_code == 200 and current.data == navy
    assert current.headers["Cache-Control"] == f"public, {YEAR}, immutable"

    # A page rendered before the change still names the old hash: it gets today's file, briefly cached.
    stale = client.get(first)
    assert stale.status_code == 200 and stale.data == navy
    assert stale.headers["Cache-Control"] == "public, max-age=300"
    unversioned = client.get("/static/css/site.css")
    assert unversioned.status_code == 200 and unversioned.headers["Cache-Control"] == "public, max-age=300"

    assert content_hash(folder, "css/missing.css") is None
    assert static_url(app, "css/missing.css") == "/static/css/missing.css"
    assert client.get("/static/css/missing.css?v=0").status_code == 404
    assert content_hash(folder, "../portal.db") is None  # nothing outside the folder is hashed


def test_every_static_url_of_a_page_is_versioned(sign_in, demo):
    client = sign_in("supervisor")
    urls = STATIC_URL.findall(client.get("/").get_data(as_text=True))
    urls += STATIC_URL.findall(client.get("/inspections").get_data(as_text=True))
    assert {url.split("?")[0] for url in urls} >= {"/static/css/portal.css", "/static/js/portal.js",
                                                   "/static/vendor/htmx-2.0.11.min.js", "/static/favicon.svg",
                                                   "/static/css/frontline.css"}
    for url in urls:
        path, _, query = url.partition("?")
        assert query == f"v={sha12((ROOT / path.lstrip('/')).read_bytes())}", url


def test_no_static_url_is_written_by_hand():
    """Templates and scripts reach static files only through url_for, which adds the version."""
    written = [str(path.relative_to(ROOT)) for folder in ("templates", "static/js", "portal")
               for path in (ROOT / folder).rglob("*") if path.suffix in (".html", ".js", ".py")
               and "/static/" in path.read_text(encoding="utf-8")]
    assert written == []


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_static_files_come_compressed_cached_for_a_year_and_conditional(app, client, encoding, decode):
    url = static_url(app, "vendor/htmx-2.0.11.min.js")
    original = (ROOT / "static/vendor/htmx-2.0.11.min.js").read_bytes()

    response = client.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == encoding
    body = response.data
    assert decode(body) == original and len(body) < len(original) / 2
    assert response.headers["Cache-Control"] == f"public, {YEAR}, immutable"
    assert response.headers["Vary"] == "Accept-Encoding"  # not Cookie: the session never changes a static file
    assert "Set-Cookie" not in response.headers

    again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.data == original
    assert plain.headers["ETag"] != response.headers["ETag"]  # each encoding is its own representation
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304

    ranged = client.get(url, headers={"Accept-Encoding": encoding, "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.data == original[:100]
    assert "Content-Encoding" not in ranged.headers


def _board(client, **headers):
    return client.get("/", headers={"Accept-Encoding": "gzip, br", **headers})


def test_over_https_a_page_another_site_caused_goes_uncompressed(make_app, tmp_path):
    """BREACH: a page holding the CSRF token is compressed only for requests from the portal itself."""
    from tests.conftest import log_in, with_demo_people

    app = with_demo_people(make_app(app={"base_url": "https://localhost"}))
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # every request of this client comes over HTTPS
    log_in(client, "supervisor")

    for site in ("same-origin", "none"):  # a click or htmx inside the portal; the address bar
        page = _board(client, **{"Sec-Fetch-Site": site})
        assert page.status_code == 200 and page.headers["Content-Encoding"] == "br"
        assert "<html" in brotli.decompress(page.data).decode()
    for site in ("cross-site", "same-site"):
        page = _board(client, **{"Sec-Fetch-Site": site})
        assert page.status_code == 200 and "Content-Encoding" not in page.headers
        assert "<html" in page.get_data(as_text=True)
    old_browser = _board(client)
    assert "Content-Encoding" not in old_browser.headers
    assert {"Accept-Encoding", "Sec-Fetch-Site"} <= set(old_browser.vary)

    # Without a cookie no secret of anybody's is in the answer (an API script with its token, the login page).
    anonymous = app.test_client().get("/api/v1/openapi.json", base_url="https://localhost",
                                      headers={"Accept-Encoding": "gzip", "Sec-Fetch-Site": "cross-site"})
    assert anonymous.status_code == 200 and anonymous.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(anonymous.data).startswith(b"{")


def test_over_plain_http_pages_and_json_are_compressed(sign_in, demo):
    client = sign_in("supervisor")
    page = client.get("/", headers={"Accept-Encoding": "gzip", "Sec-Fetch-Site": "cross-site"})
    assert page.headers["Content-Encoding"] == "gzip" and b"<html" in gzip.decompress(page.data)
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and gzip.decompress(api.data).startswith(b"{")


def test_an_xlsx_export_is_sent_as_it_is(sign_in, demo):
    client = sign_in("supervisor")
    export = client.get("/items/export.xlsx", headers={"Accept-Encoding": "gzip, br"})
    assert export.status_code == 200 and "Content-Encoding" not in export.headers
    assert export.data.startswith(b"PK\x03\x04")
