"""Sign-in pages: /login and /logout."""

from flask import Blueprint, current_app, flash, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from ..db import utcnow
from ..htmx import redirect
from ..security import safe_next
from .models import User
from .users import check_password

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@login_manager.user_loader
def _load_user(user_id):
    if not str(user_id).isdigit():
        return None
    user = User.get_or_none(User.id == int(user_id))
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def _unauthorized():
    from ..errors import error_response

    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.path.startswith("/api/"):
        return error_response(401, "unauthorized")
    return redirect(target)


def init_app(app):
    login_manager.init_app(app)
    app.register_blueprint(bp)


def demo_accounts():
    """The demo users shown on the login page, in demo mode only."""
    if not current_app.config["PORTAL"]["app"]["demo"]:
        return []
    return (User.select().where(User.source == "local", User.active)
            .order_by(User.id).limit(12))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    errors = {}
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not username:
            errors["username"] = _("Enter your user name.")
        if not password.strip():
            errors["password"] = _("Enter your password.")
        if not errors:
            user = User.get_or_none(User.username == username)
            if user is not None and user.active and check_password(user, password):
                session.clear()  # a fresh session at each sign-in
                login_user(user)
                user.last_login_at = utcnow()
                user.save(only=[User.last_login_at])
                return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
            errors["form"] = _("User name or password is wrong.")
    status = 422 if errors else 200
    return render_template("auth/login.html", errors=errors, username=username,
                           demo_accounts=demo_accounts()), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
