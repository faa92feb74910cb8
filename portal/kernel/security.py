"""Request hardening: CSRF on every state change, strict CSP, safe redirects."""

import ipaddress
import logging
from urllib.parse import urljoin, urlsplit

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

csrf = CSRFProtect()

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# No inline scripts or styles anywhere: htmx reads its config from a meta tag and
# its indicator styles come from our stylesheet.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def accepts_bearer(view):
    """Mark a download view whose URL the API hands out (photos, attachments, job files) as one an API
    client may fetch with its ``Authorization: Bearer`` token; the view's own permission check applies."""
    view.accepts_bearer = True
    return view


def bearer_token():
    """The token of an ``Authorization: Bearer`` header on an /api/ request or a download marked
    ``accepts_bearer``, or None.

    Everywhere else the session cookie signs the user in, so a page request
    with the header is still a cookie request.
    """
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if not request.path.startswith("/api/") and not getattr(view, "accepts_bearer", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def is_trusted_proxy(address, proxies):
    """True when ``address`` lies in one of ``proxies`` (addresses or networks, as in
    ``auth.header.trusted_proxies``)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            log.warning("auth.header.trusted_proxies: %r is not an address or network", proxy)
    return False


class TrustedProxies:
    """WSGI middleware: believe ``X-Forwarded-Proto`` only when the peer is a trusted reverse proxy.

    Behind one, a request the browser sent over HTTPS then counts as secure (the
    session cookie gets ``Secure``, external URLs say https); from anybody else
    the header is the client's own claim and changes nothing. The client address
    is read separately (``auth.signin.client_address``).
    """

    def __init__(self, wsgi_app, proxies):
        self.wsgi_app = wsgi_app
        self.proxies = list(proxies)
        self.behind_proxy = ProxyFix(wsgi_app, x_for=0, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ, start_response):
        if self.proxies and is_trusted_proxy(environ.get("REMOTE_ADDR"), self.proxies):
            return self.behind_proxy(environ, start_response)
        return self.wsgi_app(environ, start_response)


def served_over_https():
    """True when this request reached the portal over HTTPS (directly, or through a trusted proxy that
    says so in X-Forwarded-Proto), or the portal's base_url is https."""
    return request.is_secure or current_app.config["PORTAL"]["app"]["base_url"].startswith("https://")


def safe_next(target):
    """``target`` when it is a path on this host, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if target.startswith(("//", "\\")) or "\\" in target:
        return None
    here = urlsplit(request.host_url)
    there = urlsplit(urljoin(request.host_url, target))
    if there.scheme not in ("http", "https") or there.netloc != here.netloc:
        return None
    path = there.path or "/"
    if path.startswith("//"):  # a browser reads "//host/..." as another host
        return None
    return path + (f"?{there.query}" if there.query else "")


def _at_most(limit):
    """A regular expression matching the decimal numbers from 0 to ``limit`` (no sign)."""
    digits = str(limit)
    choices = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            choices.append(f"{digits[:i]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no database column can hold matches no route (404). The
    bound is in the pattern itself: werkzeug counts a rule whose pattern matched but whose value was out of
    range as "the path exists for other methods", which answered 405 for ids above 2^63."""

    regex = _at_most(2**63 - 1)

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app):
    csrf.init_app(app)
    app.url_map.converters["int"] = DatabaseIntConverter  # before any blueprint adds its routes

    @app.before_request
    def _check_csrf():
        # A bearer token authenticates the request by itself (no cookie is used
        # then), so CSRF does not apply; everything else needs the token.
        # An API request without a signed-in user is answered 401 by the API itself: CSRF protects
        # what a session may do, and there is none.
        if request.method in UNSAFE_METHODS and bearer_token() is None:
            if request.path.startswith("/api/") and not current_user.is_authenticated:
                from .errors import error_response

                return error_response(401, "unauthorized")  # no unauthenticated change reaches a view
            csrf.protect()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":  # static assets keep their long public caching (assets.py)
            _private_caching(response)
        return response

    app.session_interface = _SessionInterface()
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["PORTAL"]["auth"]["header"]["trusted_proxies"])


def _private_caching(response):
    """Everything but static assets may be kept by the browser only, never by a shared cache: a download
    (personal data: exports, attachments, job files) not at all, an image for the time its view allows,
    anything else until it is checked again."""
    control = response.cache_control
    if control.no_store:
        control.public, control.private = False, True
    elif (response.headers.get("Content-Disposition", "").startswith("attachment")
          and not (response.mimetype or "").startswith("image/")):
        response.headers["Cache-Control"] = "private, no-store"
    elif control.max_age:
        control.public, control.private = False, True
    else:
        response.headers["Cache-Control"] = "private, no-cache"


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the portal is reached over HTTPS (directly, or through a trusted
    proxy that says so in X-Forwarded-Proto), or its base_url is https. A static file leaves the session
    alone: no Set-Cookie and no ``Vary: Cookie`` (which would make a browser fetch it again whenever the
    session cookie changes, defeating its year-long lifetime)."""

    def get_cookie_secure(self, app):
        return served_over_https()

    def save_session(self, app, session, response):
        if request.endpoint == "static":
            return None
        return super().save_session(app, session, response)
