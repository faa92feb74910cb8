"""Attachments: kept under the uploads folder by SHA-256, never by the uploaded name."""

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..errors import Conflict, Forbidden, Invalid, NotFound
from .models import FINISHED_STATES, Attachment, ItemEvent
from .transaction import write_transaction
from .visibility import can_see

CHUNK = 64 * 1024


def upload_folder():
    """The folder attachments live in (uploads.folder, else instance/uploads)."""
    configured = current_app.config["PORTAL"]["uploads"]["folder"]
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _path(sha256):
    return upload_folder() / sha256[:2] / sha256


def clean_name(filename):
    """The file's own name without any folder part, at most 255 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return name[-255:]


def _store(stream, max_bytes):
    """Copy ``stream`` into the store; return (sha256, size); 422 when larger than ``max_bytes``."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid(_("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1048576, 1)),
                                  fields={"file": _("The file is larger than %(mb)s MB.",
                                                    mb=round(max_bytes / 1048576, 1))})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid(_("The file is empty."), fields={"file": _("The file is empty.")})
        sha = digest.hexdigest()
        target = _path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return sha, size
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def prepare_upload(user, item, file_storage):
    """Check an upload for ``item`` and store its content (outside any transaction); return what
    record_upload needs. 404 invisible, 403 wrong role, 409 finished item, 422 bad name, type or size."""
    if not can_see(user, item):
        raise NotFound()
    if not user.has_role("leader", "supervisor", "handler"):
        raise Forbidden(_("You may not attach files to this item."))
    if item.state in FINISHED_STATES:
        raise Conflict(_("Files cannot be attached to a closed or cancelled item."))
    settings = current_app.config["PORTAL"]["uploads"]
    name = clean_name(getattr(file_storage, "filename", ""))
    if file_storage is None or not name:
        raise Invalid(_("Choose a file."), fields={"file": _("Choose a file.")})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in settings["allowed_extensions"]:
        message = _("Files of this type are not accepted. Allowed: %(list)s.",
                    list=", ".join(settings["allowed_extensions"]))
        raise Invalid(message, fields={"file": message})
    sha, size = _store(file_storage.stream, settings["max_bytes"])
    return {"original_name": name, "sha256": sha, "size": size,
            "content_type": (file_storage.mimetype or "application/octet-stream")[:128]}


def record_upload(user, item, upload):
    """The Attachment row of a prepared upload and its timeline line (in the caller's transaction)."""
    attachment = Attachment.create(item=item, uploaded_by=user, **upload)
    event = ItemEvent.create(item=item, actor=user, action="attach", from_state=item.state, to_state=item.state,
                             data={"attachment": attachment.id, "name": attachment.original_name})
    Attachment.update(event=event).where(Attachment.id == attachment.id).execute()
    return attachment


def add_attachment(user, item, file_storage):
    """Store an uploaded file for ``item`` and note it in the timeline, in one transaction."""
    upload = prepare_upload(user, item, file_storage)
    with write_transaction():
        return record_upload(user, item, upload)


def attachment_for_download(user, item, attachment_id):
    """(attachment, path on disk) when ``user`` may see ``item`` and it has that attachment; else NotFound."""
    if not can_see(user, item):
        raise NotFound()
    attachment = Attachment.get_or_none(Attachment.id == attachment_id, Attachment.item == item.id)
    if attachment is None or not _path(attachment.sha256).is_file():
        raise NotFound(_("This file does not exist."))
    return attachment, _path(attachment.sha256)
