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

# Why a sign-in attempt ended as it did (LoginEvent.reason), for the audit page.
SIGN_IN_REASONS = {
    "ok": _l("Signed in"),
    "wrong_password": _l("Wrong password"),
    "unknown_user": _l("Unknown user name"),
    "inactive": _l("Account deactivated"),
    "empty_password": _l("Empty password"),
    "ambiguous": _l("Several directory entries have this name"),
    "throttled": _l("Too many failed attempts"),
    "directory_unavailable": _l("Directory unavailable"),
    "local_account_conflict": _l("A local account has this name"),
    "created_by_admin": _l("Account created by an administrator"),
    "deactivated_by_admin": _l("Deactivated by an administrator"),
    "password_reset_by_admin": _l("Password reset by an administrator"),
}
