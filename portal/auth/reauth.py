"""Asking a signed-in person to prove again that they are who the session says (before creating a token).

A stolen session cookie must not be enough to mint a lasting credential. Users
with a password type it again; the check goes through the sign-in limiter and
the audit log (backend ``reauth``). Single sign-on users have no password the
portal could ask for: for them the proof is the request itself — it must come
from the trusted proxy carrying their Kerberos name, which the proxy
establishes afresh on every request. A cookie replayed from anywhere else
carries no such header and is refused.
"""

from flask import current_app
from flask_babel import gettext as _

from ..kernel.errors import Invalid, Unavailable
from . import signin, throttle
from .directory import DirectoryUnavailable
from .users import check_password


def _has_password(user):
    return user.source == "local" or "ldap" in current_app.config["PORTAL"]["auth"]["backends"]


def asks_password(user, request):
    """True when the token form must ask ``user`` for a password on this request."""
    return signin.header_username(request) != user.username and _has_password(user)


def confirm(user, password, request):
    """Return when the request proves to be ``user``'s; else raise Invalid (on ``password``),
    TooManyRequests or Unavailable."""
    if signin.header_username(request) == user.username:
        return
    if not _has_password(user):
        message = _("Open this page through the portal's single sign-on address to confirm it is you.")
        raise Invalid(message, fields={"password": message})
    address = signin.client_address(request)
    signin.check_limiter(user.username, address)
    if not password:
        message = _("Enter your password to confirm it is you.")
        raise Invalid(message, fields={"password": message})
    if user.source == "local":
        right = check_password(user, password)
    else:
        try:
            person, _reason = signin.directory().authenticate(user.username, password)
        except DirectoryUnavailable:
            raise Unavailable(_("The directory service is unavailable, so your password cannot be checked "
                                "right now. Please try again later.")) from None
        right = person is not None
    if not right:
        signin.audit(user.username, address, "reauth", False, "wrong_password")
        throttle.record_failure(user.username, address)
        message = _("The password is not correct.")
        raise Invalid(message, fields={"password": message})
