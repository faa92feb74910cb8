"""Request hardening: CSRF on every state change, strict CSP, safe redirects."""

from urllib.parse import urljoin, urlsplit

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

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


def bearer_token():
    """The token of an ``Authorization: Bearer`` header on an /api/ request, or None.

    Tokens are accepted only under /api/: everywhere else the session cookie
    signs the user in, so a page request with the header is still a cookie request.
    """
    if not request.path.startswith("/api/"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


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


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number no database column can hold matches no route (404)."""

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
                return
            csrf.protect()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.session_interface = _SessionInterface()


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the portal is reached over HTTPS."""

    def get_cookie_secure(self, app):
        return request.is_secure or app.config["PORTAL"]["app"]["base_url"].startswith("https://")
