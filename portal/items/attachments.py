"""Attachments: kept under the uploads folder by SHA-256, never by the uploaded name."""

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

from ..kernel.errors import Conflict, Forbidden, InsufficientStorage, Invalid, NotFound
from ..kernel.text import BadText, clean
from .models import FINISHED_STATES, Attachment, ItemEvent
from .transaction import write_transaction
from .visibility import can_see

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
FULL = (errno.ENOSPC, errno.EDQUOT)
INCOMING = "incoming"
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def upload_folder():
    """The folder attachments live in (uploads.folder, else instance/uploads)."""
    configured = current_app.config["PORTAL"]["uploads"]["folder"]
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _path(sha256):
    return upload_folder() / sha256[:2] / sha256


def clean_name(filename):
    """The file's own name without any folder part, at most 255 characters (BadText: not a name)."""
    name = clean((filename or "").replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return name[-255:]


def _incoming():
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


def _no_room(exc):
    log.error("no room for an upload in %s: %s", upload_folder(), exc)
    message = _("There is no room for this file on the server now. The administrators have been told; "
                "please try again later.")
    return InsufficientStorage(message, fields={"file": message})


def _receive(stream, max_bytes, extension):
    """Copy ``stream`` into the incoming folder; return (sha256, size, path). 422 when larger than
    ``max_bytes``, empty, or not what its extension says; 507 when the disk is full. Nothing is left
    behind on refusal."""
    try:
        return _receive_into(_incoming(), stream, max_bytes, extension)
    except OSError as exc:
        if exc.errno in FULL:
            raise _no_room(exc) from None
        raise


def _receive_into(folder, stream, max_bytes, extension):
    folder.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="upload-")
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
        if not content_agrees(extension, head):
            message = _("The file's content does not match its name (.%(ext)s).", ext=extension)
            raise Invalid(message, fields={"file": message})
        return digest.hexdigest(), size, tmp
    except BaseException:
        os.unlink(tmp)
        raise


def prepare_upload(user, item, file_storage):
    """Check an upload for ``item`` and receive its content (outside any transaction) into the incoming
    folder; return what record_upload needs. 404 invisible, 403 wrong role, 409 finished item, 422 bad
    name, type, content or size. The file reaches the store only when its row commits (kept_on_commit)."""
    if not can_see(user, item):
        raise NotFound()
    if not user.has_role("leader", "supervisor", "handler"):
        raise Forbidden(_("You may not attach files to this item."))
    if item.state in FINISHED_STATES:
        raise Conflict(_("Files cannot be attached to a closed or cancelled item."))
    settings = current_app.config["PORTAL"]["uploads"]
    try:
        name = clean_name(getattr(file_storage, "filename", ""))
    except BadText as exc:
        raise Invalid(str(exc), fields={"file": str(exc)}) from None
    if file_storage is None or not name:
        raise Invalid(_("Choose a file."), fields={"file": _("Choose a file.")})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in settings["allowed_extensions"]:
        message = _("Files of this type are not accepted. Allowed: %(list)s.",
                    list=", ".join(settings["allowed_extensions"]))
        raise Invalid(message, fields={"file": message})
    sha, size, tmp = _receive(file_storage.stream, settings["max_bytes"], extension)
    try:  # the store's folder is made now, so that moving the file in after the commit cannot fail for room
        _path(sha).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        os.unlink(tmp)
        if exc.errno in FULL:
            raise _no_room(exc) from None
        raise
    return {"original_name": name, "sha256": sha, "size": size, "content_type": content_type(name), "tmp": tmp}


def discard(uploads):
    """Remove received files that will not be kept."""
    for upload in uploads:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(upload["tmp"])


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
        target = _path(upload["sha256"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.utime(target)  # in use again: a sweep running now leaves a fresh file alone
            os.unlink(upload["tmp"])  # the same content is stored already
        else:
            os.replace(upload["tmp"], target)


def record_upload(user, item, upload):
    """The Attachment row of a prepared upload and its timeline line (in the caller's transaction)."""
    attachment = Attachment.create(item=item, uploaded_by=user,
                                   **{key: value for key, value in upload.items() if key != "tmp"})
    event = ItemEvent.create(item=item, actor=user, action="attach", from_state=item.state, to_state=item.state,
                             data={"attachment": attachment.id, "name": attachment.original_name})
    Attachment.update(event=event).where(Attachment.id == attachment.id).execute()
    return attachment


def add_attachment(user, item, file_storage):
    """Store an uploaded file for ``item`` and note it in the timeline, in one transaction."""
    upload = prepare_upload(user, item, file_storage)
    with kept_on_commit([upload]), write_transaction():
        return record_upload(user, item, upload)


# Tables whose rows point into the store by SHA-256: (model, field). A feature that keeps files there adds
# its own with keeps_files(), so that sweep() never removes a file one of them uses.
REFERENCES = [(Attachment, Attachment.sha256)]


def keeps_files(model, field):
    """Declare that ``model.field`` holds SHA-256 names of files in the store (called from init_app)."""
    # By identity: a peewee field's == builds an SQL expression, which is always true.
    if not any(known_model is model and known_field is field for known_model, known_field in REFERENCES):
        REFERENCES.append((model, field))


def sweep(older_than=datetime.timedelta(hours=1)):
    """Remove files no row points to: received uploads whose transaction never committed, and stored files
    without a row (older than ``older_than``, so uploads in flight are left alone). Returns how many."""
    limit = time.time() - older_than.total_seconds()
    removed = 0
    incoming = _incoming()
    for path in incoming.iterdir() if incoming.is_dir() else ():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    folder = upload_folder()
    for shard in sorted(folder.glob("[0-9a-f][0-9a-f]")):
        old = {path.name: path for path in shard.iterdir() if path.is_file() and path.stat().st_mtime < limit}
        for model, field in REFERENCES:
            if old:
                used = {row[0] for row in model.select(field).where(field.in_(list(old))).distinct().tuples()}
                old = {name: path for name, path in old.items() if name not in used}
        for path in old.values():
            if path.stat().st_mtime < limit:  # not taken up again by an upload meanwhile
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def download(user, item, attachment_id):
    """The response serving an attachment of ``item`` to ``user``: always as a download, typed by its
    checked extension, under its name (control characters of older names replaced); NotFound when
    ``user`` may not see ``item`` or it has no such file."""
    if not can_see(user, item):
        raise NotFound()
    attachment = Attachment.get_or_none(Attachment.id == attachment_id, Attachment.item == item.id)
    if attachment is None or not _path(attachment.sha256).is_file():
        raise NotFound(_("This file does not exist."))
    name = CONTROL.sub("_", attachment.original_name) or "file"
    return send_file(_path(attachment.sha256), mimetype=content_type(name), as_attachment=True,
                     download_name=name, max_age=0)
