"""Role checks for views and services."""

from functools import wraps

from flask_login import current_user, login_required

from ..kernel.errors import Forbidden


def require_role(user, *roles):
    """Return when ``user`` holds one of ``roles``; raise Forbidden otherwise."""
    if not user.is_authenticated or not user.has_role(*roles):
        raise Forbidden()


def roles_required(*roles):
    """View decorator: signed in (else to the login page) and holding one of ``roles`` (else 403)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require_role(current_user, *roles)
            return view(*args, **kwargs)
        return wrapped
    return decorator
