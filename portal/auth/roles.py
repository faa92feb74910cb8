"""Role names as users read them."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "leader": _l("Leader"),
    "supervisor": _l("Supervisor"),
    "handler": _l("Handler"),
    "admin": _l("Administrator"),
}
