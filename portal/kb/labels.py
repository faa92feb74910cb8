"""The knowledge base's words as users read them."""

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "regulation": _l("Regulations"),
    "training": _l("Training material"),
    "experience": _l("Experience"),
    "policy": _l("Policy documents"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
EXTRACT_LABELS = {
    "pending": _l("Text extraction pending"),
    "done": _l("Text extracted"),
    "no_text": _l("No text found"),
    "failed": _l("Text extraction failed"),
}
