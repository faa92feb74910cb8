"""Compression of HTML, CSS, JavaScript, JSON and SVG where the portal serves them itself (Flask-Compress).

Static files hold no secret: they are compressed whenever the browser accepts it. A page or
a JSON answer may hold secrets (the CSRF token, the items a user may see) next to text an
attacker can put into it (a search term, a ``next`` address). Compressing both together lets
someone who watches the encrypted traffic guess the secret from the sizes, if they can make the
victim's browser send many such requests from their own site (BREACH). So over HTTPS a page is
compressed only when the browser says the request came from the portal itself or from the
address bar (``Sec-Fetch-Site: same-origin`` or ``none``), or when it carries no cookie (an API
script with its token, or nobody signed in); a request another site caused goes uncompressed.
Over plain HTTP whoever watches the traffic reads it anyway: everything is compressed.
Downloads (exports, attachments, photos) are of other types and are sent as they are.
"""

from flask import request
from flask_compress import Compress

from .security import served_over_https

COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "image/svg+xml"]
# Brotli first: a little smaller than gzip at the same speed (level 5); gzip for everyone else.
ALGORITHMS = ["br", "gzip"]
SAME_SITE_FETCHES = {"same-origin", "none"}


def may_compress():
    """True when this request's answer may be compressed without helping a BREACH attack (see the module)."""
    if request.endpoint == "static":
        return True
    if not served_over_https() or "Cookie" not in request.headers:
        return True
    return request.headers.get("Sec-Fetch-Site") in SAME_SITE_FETCHES


def init_app(app):
    """Compress answers as the module says; call first in the factory so that it runs after every other hook."""
    app.config.update(
        COMPRESS_REGISTER=False,  # our own hook decides, then asks Flask-Compress
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_ALGORITHM_STREAMING=ALGORITHMS,  # static files are sent as streams
        COMPRESS_BR_LEVEL=5,
    )
    compress = Compress(app)

    @app.after_request
    def _compress(response):
        # 206: a byte range of a static file is a range of the file as it is on disk
        if response.mimetype not in COMPRESSED_TYPES or response.status_code == 206:
            return response
        if request.endpoint != "static":
            response.vary.add("Sec-Fetch-Site")
        if may_compress():
            return compress.after_request(response)
        response.vary.add("Accept-Encoding")
        return response
