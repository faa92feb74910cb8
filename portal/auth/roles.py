"""Role names as users read them."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "leader": _l("Leader"),
    "supervisor": _l("Supervisor"),
    "handler": _l("Handler"),
    "admin": _l("Administrator"),
}

SOURCE_LABELS = {
    "local": _l("Local account"),
    "ldap": _l("Corporate directory"),
}

ORIGIN_LABELS = {
    "local": _l("given at creation"),
    "directory": _l("from the directory"),
    "override": _l("override by an administrator"),
}
