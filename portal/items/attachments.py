"""An item's attachments: received through the kernel's upload store (files.py), recorded with a line in
the timeline, downloaded by who may see the item; their text is read for the search by the job
items.extract (queue kb, like the knowledge base's attachments)."""

import logging

from flask import current_app
from flask_babel import gettext as _

from ..kernel import files, jobs
from ..kernel.changes import write_transaction
from ..kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ..kernel.text import BadText
from ..search.extraction import kind_of, run_extractor
from .models import FINISHED_STATES, Attachment, ItemEvent
from .search import index_item
from .visibility import can_see

log = logging.getLogger(__name__)


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
    return receive_upload(file_storage)


def receive_upload(file_storage, field="file"):
    """Receive one uploaded file (name, type, content and size checked: 422 on ``field``) into the
    incoming folder; return what record_upload needs."""
    settings = current_app.config["PORTAL"]["uploads"]
    try:
        name = files.clean_name(getattr(file_storage, "filename", ""))
    except BadText as exc:
        raise Invalid(str(exc), fields={field: str(exc)}) from None
    if file_storage is None or not name:
        raise Invalid(_("Choose a file."), fields={field: _("Choose a file.")})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in settings["allowed_extensions"]:
        message = _("Files of this type are not accepted. Allowed: %(list)s.",
                    list=", ".join(settings["allowed_extensions"]))
        raise Invalid(message, fields={field: message})
    try:
        sha, size, tmp = files.receive(file_storage.stream, settings["max_bytes"], extension)
    except Invalid as exc:  # (a 507 stays a 507: its class is kept) the error on this form's field
        if field == "file":
            raise
        raise type(exc)(exc.message, fields={field: exc.message}) from None
    files.make_room_for(sha, tmp)
    return {"original_name": name, "sha256": sha, "size": size, "content_type": files.content_type(name),
            "tmp": tmp}


def receive_uploads(file_storages, field="attachments", limit=10):
    """Receive several uploaded files (those sent empty, for no file chosen, left out) for an item not yet
    made; on any refusal (422 on ``field``) the ones already received are discarded."""
    chosen = [f for f in file_storages if f is not None and getattr(f, "filename", "")]
    if len(chosen) > limit:
        message = _("Attach at most %(n)s files at once.", n=limit)
        raise Invalid(message, fields={field: message})
    uploads = []
    try:
        for file_storage in chosen:
            upload = receive_upload(file_storage, field)
            uploads.append(upload)
    except BaseException:
        files.discard(uploads)
        raise
    return uploads


def record_upload(user, item, upload):
    """The Attachment row of a prepared upload and its timeline line (in the caller's transaction)."""
    attachment = Attachment.create(item=item, uploaded_by=user,
                                   **{key: upload[key] for key in ("original_name", "sha256", "size", "content_type")})
    upload["attachment"] = attachment.id
    event = ItemEvent.create(item=item, actor=user, action="attach", from_state=item.state, to_state=item.state,
                             data={"attachment": attachment.id, "name": attachment.original_name})
    Attachment.update(event=event).where(Attachment.id == attachment.id).execute()
    return attachment


def add_attachment(user, item, file_storage):
    """Store an uploaded file for ``item`` and note it in the timeline, in one transaction."""
    upload = prepare_upload(user, item, file_storage)
    with files.kept_on_commit([upload]), write_transaction():
        attachment = record_upload(user, item, upload)
    extract_later([upload])
    return attachment


def extract_later(uploads):
    """Ask for the text of the recorded ``uploads`` (the job items.extract), once their rows have committed."""
    ids = [(upload["attachment"],) for upload in uploads if upload.get("attachment")]
    if ids:
        jobs.enqueue_many("items.extract", ids)


def extract_text(attachment_id):
    """Read an attachment's text (search.extraction: a child process with limits), store it with its status
    and index the item; returns the status. A file of a kind without text (images, archives) is no_text."""
    attachment = Attachment.get_or_none(Attachment.id == attachment_id)
    if attachment is None:
        return None
    kind = kind_of(attachment.original_name)
    path = files.path(attachment.sha256)
    if kind is None or kind == "image":
        result = {"status": "no_text", "text": "", "error": ""}
    elif not path.is_file():
        result = {"status": "failed", "text": "", "error": "the stored file is missing"}
    else:
        result = run_extractor(kind, path)
    with write_transaction():
        Attachment.update(extract_status=result["status"], extract_error=(result["error"] or "")[:255],
                          text=result["text"]).where(Attachment.id == attachment_id).execute()
        index_item(attachment.item_id)
    if result["status"] == "failed":
        log.warning("items: text of attachment %s not extracted: %s", attachment_id, result["error"])
    return result["status"]


def retry_extraction():
    """Extract again the text of every attachment that failed or was never read; return how many."""
    ids = [i for (i,) in Attachment.select(Attachment.id)
           .where(Attachment.extract_status.in_(("failed", "pending"))).tuples()]
    for attachment_id in ids:
        extract_text(attachment_id)
    return len(ids)


def download(user, item, attachment_id):
    """The response serving an attachment of ``item`` to ``user``: always as a download, typed by its
    checked extension, under its name (control characters of older names replaced); NotFound when
    ``user`` may not see ``item`` or it has no such file."""
    if not can_see(user, item):
        raise NotFound()
    attachment = Attachment.get_or_none(Attachment.id == attachment_id, Attachment.item == item.id)
    if attachment is None or not files.path(attachment.sha256).is_file():
        raise NotFound(_("This file does not exist."))
    return files.serve(attachment.sha256, attachment.original_name)
