"""An item's attachments: received through the kernel's upload store (files.py), recorded with a line in
the timeline, downloaded by who may see the item."""

from flask import current_app
from flask_babel import gettext as _

from ..kernel import files
from ..kernel.changes import write_transaction
from ..kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ..kernel.text import BadText
from .models import FINISHED_STATES, Attachment, ItemEvent
from .visibility import can_see


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
                                   **{key: value for key, value in upload.items() if key != "tmp"})
    event = ItemEvent.create(item=item, actor=user, action="attach", from_state=item.state, to_state=item.state,
                             data={"attachment": attachment.id, "name": attachment.original_name})
    Attachment.update(event=event).where(Attachment.id == attachment.id).execute()
    return attachment


def add_attachment(user, item, file_storage):
    """Store an uploaded file for ``item`` and note it in the timeline, in one transaction."""
    upload = prepare_upload(user, item, file_storage)
    with files.kept_on_commit([upload]), write_transaction():
        return record_upload(user, item, upload)


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
