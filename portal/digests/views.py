"""The digest pages: the archive (/digests) and one digest per page."""

from flask import Blueprint
from flask_login import current_user, login_required

from ..kernel import htmx
from ..kernel.paging import page_arg
from . import services

bp = Blueprint("digests", __name__, url_prefix="/digests")
PER_PAGE = 20


@bp.before_request
@login_required
def _signed_in():
    """Every digest page needs a signed-in user."""


@bp.get("")
def index():
    """The archive: a leader's own digests, every leader's for supervisors, newest week first."""
    page = page_arg()
    query = services.visible_digests(current_user)
    total = query.count()
    rows = list(query.paginate(page, PER_PAGE))
    return htmx.render("digests/list.html", "digests/_results.html", rows=rows, total=total, page_number=page,
                       per_page=PER_PAGE, args={})


@bp.get("/<int:digest_id>")
def show(digest_id):
    """One digest as it was sent."""
    digest = services.get_visible(current_user, digest_id)
    return htmx.render("digests/show.html", "digests/_digest.html", digest=digest)
