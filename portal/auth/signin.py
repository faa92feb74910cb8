"""Who may sign in: the backends of ``auth.backends`` in order, the limiter and the audit log.

Each attempt ends in exactly one LoginEvent row (never with the password).
"""

import ipaddress
import logging

from flask import current_app
from flask_babel import gettext as _

from ..kernel.db import utcnow
from ..kernel.errors import Forbidden, Invalid, TooManyRequests, Unavailable
from ..kernel.security import is_trusted_proxy
from . import throttle
from .directory import Directory, DirectoryUnavailable
from .models import LoginEvent, User
from .users import LocalAccountConflict, check_password, refresh_from_directory, spend_password_check

log = logging.getLogger(__name__)


def _settings():
    return current_app.config["PORTAL"]["auth"]


def directory():
    """The configured LDAP directory."""
    return Directory(_settings()["ldap"])


def audit(username, address, backend, success, reason):
    """Write one line of the sign-in audit log."""
    LoginEvent.create(username=(username or "")[:128], address=(address or "")[:64],
                      backend=backend or "", success=success, reason=reason)


def _wrong():
    return Invalid(_("User name or password is wrong."))


def _local_account_conflict(username, address, backend):
    """Audit and log a directory sign-in refused because a local account has the name; the error to show."""
    audit(username, address, backend, False, "local_account_conflict")
    log.warning("%s sign-in of %s refused: a local account has this user name; "
                "rename one of the two accounts", backend, username)
    return Forbidden(_("This user name belongs to a local account of the portal, so you cannot sign in "
                       "with your directory account. Please ask an administrator."))


def check_limiter(username, address):
    """Raise TooManyRequests (audited as ``throttled``) while this name must wait at this address."""
    wait = throttle.wait_seconds(username, address)
    if wait > 0:
        audit(username, address, "", False, "throttled")
        minutes = max(1, -(-wait // 60))
        if minutes == 1:
            raise TooManyRequests(_("Too many failed sign-ins. Please wait a minute and try again."))
        raise TooManyRequests(_("Too many failed sign-ins. Please wait %(minutes)d minutes and try again.",
                                minutes=minutes))


def sign_in(username, password, address):
    """The active user these credentials belong to; raises Invalid, TooManyRequests or Unavailable."""
    username = (username or "").strip()
    check_limiter(username, address)
    unavailable = False
    reason = "unknown_user"
    for backend in _settings()["backends"]:
        if backend == "local":
            user, reason = _local(username, password)
        elif backend == "ldap":
            try:
                user, reason = _ldap(username, password)
            except DirectoryUnavailable:
                unavailable, user, reason = True, None, "directory_unavailable"
            except LocalAccountConflict:
                raise _local_account_conflict(username, address, backend) from None
        else:
            continue  # "header" signs in from the proxy's header, not from this form
        if user is not None:
            audit(username, address, backend, True, "ok")
            throttle.record_success(username, address)
            _touch(user)
            return user
        if reason != "unknown_user":
            audit(username, address, backend, False, reason)
            if reason == "directory_unavailable":
                continue
            throttle.record_failure(username, address)
            raise _wrong()
    if unavailable:
        raise Unavailable(_("The directory service is unavailable, so you cannot sign in right now. "
                            "Please try again later."))
    audit(username, address, "", False, "unknown_user")
    throttle.record_failure(username, address)
    raise _wrong()


def _local(username, password):
    user = User.get_or_none(User.username == username, User.source == "local")
    if user is None:
        spend_password_check(password)  # as long as a wrong password takes: names stay secret
        return None, "unknown_user"
    if not check_password(user, password):
        return None, "wrong_password"
    if not user.active:
        return None, "inactive"
    return user, None


def _ldap(username, password):
    person, reason = directory().authenticate(username, password)
    if person is None:
        return None, reason
    user, changes = refresh_from_directory(person)
    if changes:
        log.info("sign-in refreshed %s: %s", user.username, ", ".join(changes))
    return user, None


def _touch(user):
    user.last_login_at = utcnow()
    user.save(only=[User.last_login_at])


# --- trusted header (Kerberos/SPNEGO at the reverse proxy) -------------------

def header_username(request):
    """The user name the trusted proxy passed, or None (not configured, untrusted, absent)."""
    settings = _settings()
    if "header" not in settings["backends"]:
        return None
    name = settings["header"]["user_header"]
    value = request.environ.get("REMOTE_USER") if name == "REMOTE_USER" else request.headers.get(name)
    value = (value or "").strip()
    if not value:
        return None
    if not _trusted(request.remote_addr, settings["header"]["trusted_proxies"]):
        return None
    # Kerberos principals arrive as user@REALM; the directory knows the user name.
    return value.split("@", 1)[0] or None


def client_address(request):
    """The address a sign-in comes from, for the limiter and the audit log.

    Behind a reverse proxy listed in ``auth.header.trusted_proxies`` it is the
    last X-Forwarded-For entry (the one the proxy added); a header from anyone
    else is ignored, since a client can write whatever it likes there.
    """
    peer = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _trusted(peer, _settings()["header"]["trusted_proxies"]):
        last = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer


def _trusted(address, proxies):
    return is_trusted_proxy(address, proxies)


def sign_in_from_header(username, address):
    """The user the trusted proxy vouches for, refreshed from LDAP; None when unknown.

    When the directory is down, a user seen before signs in with the roles
    last read; a user never seen before gets Unavailable. A directory person
    named like a local account gets Forbidden.
    """
    try:
        person = directory().find(username)
    except DirectoryUnavailable:
        user = User.get_or_none(User.username == username, User.source == "ldap")
        if user is None or not user.active:
            audit(username, address, "header", False, "directory_unavailable")
            raise Unavailable(_("The directory service is unavailable, so you cannot sign in right now. "
                                "Please try again later.")) from None
        log.warning("header sign-in of %s with stored roles: directory unavailable", username)
    else:
        if person is None:
            audit(username, address, "header", False, "unknown_user")
            return None
        try:
            user, _changes = refresh_from_directory(person)
        except LocalAccountConflict:
            raise _local_account_conflict(username, address, "header") from None
    audit(username, address, "header", True, "ok")
    _touch(user)
    return user
