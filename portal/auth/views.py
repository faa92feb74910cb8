"""Sign-in pages (/login, /logout, /profile) and how each request finds its user.

A request is signed in by its session cookie, by a trusted proxy's header
(``header`` backend) or, under /api/ only, by ``Authorization: Bearer``.
"""

import time

from flask import Blueprint, current_app, flash, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from ..kernel import hooks
from ..kernel.db import utcnow
from ..kernel.errors import Forbidden, Invalid, PortalError, error_response
from ..kernel.htmx import is_background, is_htmx, redirect, render
from ..kernel.security import bearer_token, safe_next
from . import reauth, sessions, signin, throttle, tokens, users
from .models import User
from .roles import ROLE_LABELS, SOURCE_LABELS

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

SEEN_KEY = "seen_at"


@bp.context_processor
def _labels():
    return {"account_source_labels": SOURCE_LABELS}


@login_manager.user_loader
def _load_user(user_id):
    if bearer_token() is not None:
        return None  # a request carrying a token is judged by its token alone
    return sessions.load(user_id)


@login_manager.request_loader
def _load_user_from_token(request_):
    token = bearer_token()
    return tokens.user_for_token(token) if token else None


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return error_response(401, "unauthorized")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _start_session(user, method="password"):
    session.clear()  # a fresh session at each sign-in
    sessions.start(user, method, signin.client_address(request), request.headers.get("User-Agent", ""))
    login_user(user)
    session[SEEN_KEY] = int(time.time())


def _before_request():
    if request.endpoint == "static":
        return None
    if bearer_token() is not None:
        if not current_user.is_authenticated:
            if g.get("token_expired"):
                return error_response(401, "invalid_token", _("The API token has expired."))
            return error_response(401, "invalid_token",
                                  _("The API token is not valid or has been revoked."))
        return None
    if "_user_id" in session:
        idle = current_app.config["PORTAL"]["app"]["session_idle_minutes"] * 60
        now = int(time.time())
        seen = session.get(SEEN_KEY, now)
        if now - seen > idle:
            logout_user()
            session.clear()
            flash(_("You were signed out after a period of inactivity."), "info")
        elif (now - seen >= 60 and not is_background()) or SEEN_KEY not in session:
            session[SEEN_KEY] = now
            if current_user.is_authenticated:
                sessions.touch(current_user)
    return _header_sign_in()


def _header_sign_in():
    name = signin.header_username(request)
    if name is None or session.get("header_refused") == name:
        return None
    if current_user.is_authenticated and current_user.username == name:
        return None
    try:
        user = signin.sign_in_from_header(name, signin.client_address(request))
    except Forbidden as exc:
        session["header_refused"] = name  # the login form stays open to the local account
        flash(exc.message, "error")
        return None
    except PortalError as exc:
        return error_response(exc.status, exc.code, exc.message)
    if user is None:
        session["header_refused"] = name  # ask the directory once, not on every request
        return None
    _start_session(user, "header")
    return None


def init_app(app):
    login_manager.init_app(app)
    app.before_request(_before_request)
    app.register_blueprint(bp)
    from . import api, cli, tasks  # noqa: F401  (tasks: the job)

    app.register_blueprint(api.bp)
    hooks.openapi.add("auth", (api.OPENAPI_PATHS, {}))
    cli.init_app(app)
    app.context_processor(lambda: {"role_labels": ROLE_LABELS})


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
    status = 200
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not username:
            errors["username"] = _("Enter your user name.")
        if not password.strip():
            errors["password"] = _("Enter your password.")
        status = 422 if errors else 200
        if not errors:
            try:
                user = signin.sign_in(username, password, signin.client_address(request))
            except PortalError as exc:
                errors["form"], status = exc.message, exc.status
            else:
                _start_session(user)
                return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", errors=errors, username=username,
                           demo_accounts=demo_accounts()), status


@bp.post("/logout")
@login_required
def logout():
    sessions.end_current(current_user, "logout")
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/profile")
@login_required
def profile():
    return _profile_page()


def _profile_page(new_token=None, errors=None, status=200, form=None, partial="auth/_tokens.html"):
    return render("auth/profile.html", partial, status=status, user=current_user,
                  tokens=tokens.tokens_of(current_user), new_token=new_token, errors=errors or {},
                  form=form or {}, expiry_choices=tokens.expiry_choices(),
                  password_asked=reauth.asks_password(current_user, request),
                  sessions=sessions.live_sessions(current_user),
                  current_session=getattr(current_user, "session_row", None), now=utcnow())


@bp.post("/profile/tokens")
@login_required
def create_token():
    form = {key: request.form.get(key, "") for key in ("name", "expires", "expires_on")}
    try:
        reauth.confirm(current_user, request.form.get("password", ""), request)
        expires_at = tokens.parse_expiry(form["expires"], form["expires_on"])
        _row, token = tokens.create_token(current_user, form["name"], expires_at)
    except Invalid as exc:
        return _profile_page(errors=exc.fields, status=422, form=form)
    except PortalError as exc:
        return _profile_page(errors={"password": exc.message}, status=exc.status, form=form)
    return _profile_page(new_token=token, status=201)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    tokens.revoke_token(current_user, token_id)
    return _profile_page()


@bp.post("/profile/sessions/others/revoke")
@login_required
def end_other_sessions():
    count = sessions.end_all(current_user, "user", keep_current_of=current_user)
    hooks.credentials_revoked.call(current_user)  # a lost phone may hold the calendar feed's URL too
    message = _("Other sessions signed out: %(count)d.", count=count)
    if is_htmx():
        return _profile_page(partial="auth/_sessions.html", form={"sessions_message": message})
    flash(message, "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/password")
@login_required
def change_password():
    address = signin.client_address(request)
    try:
        signin.check_limiter(current_user.username, address)  # a stolen session must not guess freely
        count = users.change_password(current_user, request.form.get("current_password", ""),
                                      request.form.get("new_password", ""), request.form.get("repeat_password", ""))
    except Invalid as exc:
        if "current_password" in exc.fields:
            signin.audit(current_user.username, address, "reauth", False, "wrong_password")
            throttle.record_failure(current_user.username, address)
        return _profile_page(errors=exc.fields or {"current_password": exc.message}, status=422,
                             partial="auth/_password.html")
    except PortalError as exc:
        return _profile_page(errors={"current_password": exc.message}, status=exc.status,
                             partial="auth/_password.html")
    flash(_("Your password is changed.") + " " + _("Other sessions signed out: %(count)d.", count=count), "success")
    return redirect(url_for("auth.profile"))
