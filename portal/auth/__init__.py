"""Who people are: departments, users, roles, sign-in."""


def init_app(app):
    """Sign-in (flask-login), the sign-in pages, ``/api/v1/me`` and the account commands."""
    from . import views

    views.init_app(app)
