"""Static files: URLs that change with the file's content, and cache lifetimes to match.

Every ``url_for('static', filename=...)`` carries ``?v=`` and the first 12 hex digits of the
file's SHA-256. A request naming the file's current hash is answered with a one-year,
immutable lifetime: the browser keeps the file without asking again until a page names
another hash, which it does as soon as the file changes. A request without ``v``, or with a
stale one (a page rendered before a release, or by a web machine not yet upgraded), gets the
current file with a short lifetime, so that no cache keeps it under that URL for long.
The files keep their names in git and on disk; ETag and conditional requests work as before.
"""

import hashlib
import os
import stat

from flask import current_app, request, send_from_directory
from werkzeug.security import safe_join

LONG_MAX_AGE = 365 * 24 * 3600  # versioned URLs: the content behind them never changes
SHORT_MAX_AGE = 300  # unversioned or stale: five minutes, then the browser asks again (ETag)
HASH_LENGTH = 12

# path -> ((mtime_ns, size), hash): each file is read once per process, and again when it changes.
_hashes = {}


def content_hash(folder, filename):
    """The first 12 hex digits of the SHA-256 of ``folder/filename``; None when there is no such file.

    A file is read once per process and again only when its size or modification time changed.
    """
    path = safe_join(str(folder), filename) if folder and filename else None
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    signature = (found.st_mtime_ns, found.st_size)
    known = _hashes.get(path)
    if known is not None and known[0] == signature:
        return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:HASH_LENGTH]
    _hashes[path] = (signature, digest)
    return digest


def serve_static(filename):
    """The static view: the file, for a year and immutable when ``v`` is its current hash, else briefly."""
    folder = current_app.static_folder
    current = content_hash(folder, filename)
    versioned = current is not None and request.args.get("v") == current
    response = send_from_directory(folder, filename, max_age=LONG_MAX_AGE if versioned else SHORT_MAX_AGE)
    response.cache_control.immutable = versioned or None
    return response


def init_app(app):
    """Version every static URL the app builds, and serve static files through ``serve_static``."""

    @app.url_defaults
    def _version_static_urls(endpoint, values):
        if endpoint == "static" and "v" not in values:
            digest = content_hash(app.static_folder, values.get("filename"))
            if digest is not None:
                values["v"] = digest

    app.view_functions["static"] = serve_static
