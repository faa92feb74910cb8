"""The upload store: files kept under the uploads folder by SHA-256, never by the uploaded name.

An upload is received into ``incoming/`` (``receive``: size and content checked, nothing left behind on
refusal) outside any transaction; the transaction that records its row runs inside ``kept_on_commit``,
which moves the file into the store once the row has committed and discards it when it did not. Tables
that point into the store are declared in ``hooks.files_kept``; the hourly ``sweep`` removes incoming
files that never committed and stored files no such table points to. ``serve`` sends a stored file as a
download. Items, article attachments, training files and inspection photos all keep their files here.
"""

import contextlib
import datetime
import errno
import hashlib
import logging
import os
import re
import tempfile
import time
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _

from . import hooks, jobs, quotas
from .errors import InsufficientStorage, Invalid
from .text import clean

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
FULL = (errno.ENOSPC, errno.EDQUOT)
INCOMING = "incoming"
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def upload_folder():
    """The folder the store lives in (uploads.folder, else instance/uploads)."""
    configured = current_app.config["PORTAL"]["uploads"]["folder"]
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def path(sha256):
    """Where the store keeps the file whose SHA-256 is ``sha256``."""
    return upload_folder() / sha256[:2] / sha256


def clean_name(filename):
    """The file's own name without any folder part, at most 255 characters (BadText: not a name)."""
    name = clean((filename or "").replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return name[-255:]


def incoming():
    """Where uploads wait until the transaction that records them commits (same file system: a rename)."""
    return upload_folder() / INCOMING


# The type a download is served as, by extension; the content must agree with it (see content_agrees).
TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip", "ofd": "application/ofd",
}
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES = {
    "pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"), "docx": ZIP, "xlsx": ZIP, "pptx": ZIP, "zip": ZIP, "ofd": ZIP,
    "doc": OLE, "xls": OLE, "ppt": OLE, "wps": OLE + ZIP, "et": OLE + ZIP, "dps": OLE + ZIP,
}


def content_type(name):
    """The type ``name``'s file is served as: by its (allowed, checked) extension, never the uploader's claim."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TYPES.get(extension, "application/octet-stream")


def content_agrees(extension, head):
    """True when the first bytes of a file are what a file named ``*.extension`` starts with."""
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension in ("txt", "csv"):
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                    return True
        return False
    signatures = SIGNATURES.get(extension)
    return signatures is None or head.startswith(signatures)


def no_room(exc):
    log.error("no room for an upload in %s: %s", upload_folder(), exc)
    message = _("There is no room for this file on the server now. The administrators have been told; "
                "please try again later.")
    return InsufficientStorage(message, fields={"file": message})


def receive(stream, max_bytes, extension=None, prefix="upload-"):
    """Copy ``stream`` into the incoming folder; return (sha256, size, path of the copy). 422 when larger than
    ``max_bytes``, empty, or (``extension`` given) not what its extension says; 507 when the disk is full.
    Nothing is left behind on refusal; 429 past the user's quota of uploads (quotas.py)."""
    quotas.use("uploads")
    folder = incoming()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix)
    except OSError as exc:
        raise (no_room(exc) if exc.errno in FULL else exc) from None
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    message = _("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1048576, 1))
                    raise Invalid(message, fields={"file": message})
                if len(head) < CHUNK:
                    head += chunk[:CHUNK - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid(_("The file is empty."), fields={"file": _("The file is empty.")})
        if extension is not None and not content_agrees(extension, head):
            message = _("The file's content does not match its name (.%(ext)s).", ext=extension)
            raise Invalid(message, fields={"file": message})
        return digest.hexdigest(), size, tmp
    except OSError as exc:
        os.unlink(tmp)
        raise (no_room(exc) if exc.errno in FULL else exc) from None
    except BaseException:
        os.unlink(tmp)
        raise


def stage(body, prefix="upload-"):
    """Write ``body`` (bytes made here, e.g. a re-encoded photo) into the incoming folder, as ``receive``
    does for an upload; return {"sha256", "tmp", "size"} for ``kept_on_commit``."""
    folder = incoming()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix)
    with os.fdopen(fd, "wb") as out:
        out.write(body)
    return {"sha256": hashlib.sha256(body).hexdigest(), "tmp": tmp, "size": len(body)}


def make_room_for(sha256, tmp):
    """Make the store's folder for ``sha256`` now, so that moving the file in after the commit cannot fail
    for room; on failure the received copy ``tmp`` is removed (507 when the disk is full)."""
    try:
        path(sha256).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        os.unlink(tmp)
        if exc.errno in FULL:
            raise no_room(exc) from None
        raise


def discard(uploads):
    """Remove received files that will not be kept."""
    for upload in uploads:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(upload["tmp"])


def keep(upload):
    """Move a received file (``{"sha256", "tmp"}``) into the store; the same content stored already is
    reused (and touched, so that a sweep running now leaves it alone)."""
    target = path(upload["sha256"])
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.utime(target)
        os.unlink(upload["tmp"])
    else:
        os.replace(upload["tmp"], target)


@contextlib.contextmanager
def kept_on_commit(uploads):
    """Around a transaction that records ``uploads``: move them into the store once it has committed,
    discard them when it did not. (A crash in between leaves a file in incoming/: sweep() removes it.)"""
    try:
        yield
    except BaseException:
        discard(uploads)
        raise
    for upload in uploads:
        keep(upload)


def keeps_files(field):
    """Declare that ``field`` (a peewee field) holds SHA-256 names of files in the store (from init_app)."""
    hooks.files_kept.add((field.model._meta.table_name, field.name), field)


@jobs.job("files.sweep", timeout=3600)
def sweep(older_than=datetime.timedelta(hours=1)):
    """Remove files no row points to: received uploads whose transaction never committed, and stored files
    without a row (older than ``older_than``, so uploads in flight are left alone). Returns how many."""
    if not hooks.files_kept:  # no feature said what it keeps: every stored file would look unused
        raise RuntimeError("files.sweep: no table keeps files (hooks.files_kept is empty); nothing removed")
    limit = time.time() - older_than.total_seconds()
    removed = 0
    waiting = incoming()
    for found in waiting.iterdir() if waiting.is_dir() else ():
        if found.is_file() and found.stat().st_mtime < limit:
            found.unlink(missing_ok=True)
            removed += 1
    folder = upload_folder()
    for shard in sorted(folder.glob("[0-9a-f][0-9a-f]")):
        old = {found.name: found for found in shard.iterdir() if found.is_file() and found.stat().st_mtime < limit}
        for field in hooks.files_kept.values():
            if old:
                used = {row[0] for row in field.model.select(field).where(field.in_(list(old))).distinct().tuples()}
                old = {name: found for name, found in old.items() if name not in used}
        for found in old.values():
            if found.stat().st_mtime < limit:  # not taken up again by an upload meanwhile
                found.unlink(missing_ok=True)
                removed += 1
    return removed


def serve(sha256, name, mimetype=None, max_age=0):
    """The response sending a stored file as a download under ``name`` (control characters replaced), typed
    ``mimetype`` or by its (checked) extension."""
    name = CONTROL.sub("_", name) or "file"
    mimetype = (mimetype or content_type(name)).partition(";")[0]  # send_file adds the charset of text
    return send_file(path(sha256), mimetype=mimetype, as_attachment=True,
                     download_name=name, max_age=max_age)
