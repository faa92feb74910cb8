"""Article attachments: checked at upload (type by content, size, ZIP bombs), stored by SHA-256, their
text extracted by a job in a child process with time and memory limits (search.extraction, which the
items' attachments use too).

A file whose text cannot be read (damaged, encrypted, scanned) is kept and
marked with the reason; ``flask --app wsgi kb-reindex`` tries it again.
"""

import logging
import os

from flask import current_app
from flask_babel import gettext as _

from ..kernel import files, jobs
from ..kernel.changes import write_transaction
from ..kernel.db import utcnow
from ..kernel.errors import Invalid, NotFound
from ..kernel.text import BadText
from ..search import extractor
from ..search.extraction import KINDS, run_extractor
from .models import ArticleAttachment
from .search import index_article
from .services import require_writer

CHUNK = 64 * 1024

log = logging.getLogger(__name__)

# The reasons the extractor gives, as users read them.
REASONS = {
    "not a PDF file": lambda: _("The content is not a PDF file."),
    "not an image": lambda: _("The content is not an image."),
    "not a valid Office file": lambda: _("The content is not a valid Office file."),
    "the PDF is encrypted": lambda: _("The PDF is encrypted; its text cannot be read."),
    "the file inflates too much (a ZIP bomb?)": lambda: _("The file unpacks to far more than its size (a ZIP bomb?)."),
    "no text found (a scanned document?)": lambda: _("No text found (a scanned document?)."),
    "an image has no text layer": lambda: _("An image has no text to search."),
    "the extraction took too long": lambda: _("Reading the text took too long."),
    "the file needs too much memory": lambda: _("Reading the text needs too much memory."),
}


def reason_label(error):
    """The extractor's reason in the user's language (the English text when not known)."""
    for key, label in REASONS.items():
        if error.startswith(key):
            return label()
    if error.startswith("not a ") and error.endswith(" file"):
        return _("The content is not a %(kind)s file.", kind=error[len("not a "):-len(" file")])
    if error.startswith("the PDF is damaged") or error.startswith("the file is damaged"):
        return _("The file is damaged (%(detail)s).", detail=error)
    return error


def of(article):
    return list(ArticleAttachment.select().where(ArticleAttachment.article == article.id)
                .order_by(ArticleAttachment.id))


def _refuse(message):
    raise Invalid(message, fields={"file": message})


def require_image(file_storage):
    """422 unless the upload's name is that of an image (its content is checked when it is stored)."""
    name = getattr(file_storage, "filename", "") or "" if file_storage is not None else ""
    if KINDS.get(name.rsplit(".", 1)[-1].lower() if "." in name else "") != "image":
        _refuse(_("Only images can be pasted into the text (%(list)s).",
                  list=", ".join(k for k, v in KINDS.items() if v == "image")))


def store_checked(file_storage):
    """Check an upload (name, type by content, size, ZIP bomb) and store it; return (name, kind, sha256, size).
    422 with the reason when it is refused."""
    try:
        name = files.clean_name(getattr(file_storage, "filename", "") if file_storage is not None else "")
    except BadText as exc:
        _refuse(str(exc))
    if not name:
        _refuse(_("Choose a file."))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(extension)
    if kind is None:
        _refuse(_("Files of this type are not accepted. Allowed: %(list)s.", list=", ".join(KINDS)))
    sha, size, tmp = files.receive(file_storage.stream, current_app.config["PORTAL"]["uploads"]["max_bytes"])
    try:
        extractor.sniff(tmp, kind)
    except extractor.ExtractionError as exc:
        os.unlink(tmp)
        message = reason_label(str(exc))
        if str(exc).startswith("not a"):
            message = _("The content does not match the file's name: %(reason)s", reason=message)
        _refuse(message)
    files.keep({"sha256": sha, "tmp": tmp})
    return name, kind, sha, size


def add(user, article, file_storage, checked=None):
    """Store an upload for ``article`` and ask for its text; 403 unless a writer, 422 with the reason when
    the file is refused (type, size, content not matching the name, ZIP bomb). ``checked``: what
    ``store_checked`` answered for it already."""
    require_writer(user)
    name, kind, sha, size = checked or store_checked(file_storage)
    with write_transaction():
        attachment = ArticleAttachment.create(article=article.id, original_name=name, kind=kind, sha256=sha,
                                              size=size, uploaded_by=user, extract_status="pending")
    jobs.enqueue("kb.extract", attachment.id)
    if kind == "image":  # the body may show it now: render again with it among the allowed images
        jobs.enqueue("kb.render", article.id)
    return ArticleAttachment.get_by_id(attachment.id)


IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp"}


def image_type(attachment):
    """The media type an image attachment is served with inline (its content was checked at upload), or None."""
    if attachment.kind != "image":
        return None
    return IMAGE_TYPES.get(attachment.original_name.rsplit(".", 1)[-1].lower())


def for_download(article, attachment_id, need_file=True):
    attachment = ArticleAttachment.get_or_none(ArticleAttachment.id == attachment_id,
                                               ArticleAttachment.article == article.id)
    if attachment is None or (need_file and not files.path(attachment.sha256).is_file()):
        raise NotFound(_("This file does not exist."))
    return attachment, files.path(attachment.sha256)


def extract_attachment(attachment_id):
    """Extract one attachment's text, store it with its status, and index the article; returns the status."""
    attachment = ArticleAttachment.get_or_none(ArticleAttachment.id == attachment_id)
    if attachment is None:
        return None
    path = files.path(attachment.sha256)
    if not path.is_file():
        result = {"status": "failed", "text": "", "error": "the stored file is missing"}
    else:
        result = run_extractor(attachment.kind, path)
    with write_transaction():
        ArticleAttachment.update(extract_status=result["status"], extract_error=(result["error"] or "")[:255],
                                 text=result["text"], extracted_at=utcnow()).where(
            ArticleAttachment.id == attachment_id).execute()
        index_article(attachment.article_id)
    if result["status"] == "failed":
        log.warning("kb: text of attachment %s not extracted: %s", attachment_id, result["error"])
    return result["status"]


def retry_failed():
    """Extract again every attachment that failed or never finished; return how many were tried."""
    ids = [i for (i,) in ArticleAttachment.select(ArticleAttachment.id)
           .where(ArticleAttachment.extract_status.in_(("failed", "pending"))).tuples()]
    for attachment_id in ids:
        extract_attachment(attachment_id)
    return len(ids)
