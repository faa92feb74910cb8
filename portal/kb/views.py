"""Knowledge-base pages: /kb list, article page (rendered when the job is done), write with live preview,
revisions and their differences, attachments."""

from flask import Blueprint, jsonify, make_response, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel import quotas
from ..kernel.errors import Invalid
from ..kernel.forms import record_id
from ..kernel.htmx import is_htmx, redirect, render
from ..kernel.paging import page_arg
from ..kernel.security import accepts_bearer
from . import attachments, reading, services
from .labels import CATEGORY_LABELS, EXTRACT_LABELS, STATUS_LABELS
from .models import CATEGORIES
from .render import image_paths, render_markdown

bp = Blueprint("kb", __name__, url_prefix="/kb")


@bp.context_processor
def _labels():
    return {"category_labels": CATEGORY_LABELS, "status_labels": STATUS_LABELS, "extract_labels": EXTRACT_LABELS,
            "may_write": services.may_write(current_user),
            "extract_reason": attachments.reason_label}


@bp.get("")
@login_required
def index():
    category = request.args.get("category") or None
    if category not in (None, *CATEGORIES):
        category = "-"  # an unknown category selects nothing
    tag = (request.args.get("tag") or "").strip() or None
    page = page_arg()
    rows, total = services.list_articles(current_user, category=category, tag=tag, page=page)
    args = {k: v for k, v in {"category": category, "tag": tag}.items() if v}
    return render("kb/index.html", "kb/_list.html", rows=rows, total=total, page_number=page,
                  per_page=services.PER_PAGE, args=args, category=category, tag=tag)


def _form_data():
    form = request.form
    return {"title": form.get("title", ""), "category": form.get("category", ""), "tags": form.get("tags", ""),
            "body": form.get("body", ""), "status": form.get("status", "draft"),
            "required_for": {"roles": form.getlist("required_roles"),
                             "departments": form.getlist("required_departments")},
            "revision": form.get("revision")}


def _departments():
    from ..auth.models import Department

    return list(Department.select().where(Department.active).order_by(Department.sort_order, Department.name))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_writer(current_user)
    errors, values, status = {}, {"category": "regulation", "status": "draft", "body": "", "tags": []}, 200
    if request.method == "POST":
        values = _form_data()
        try:
            article = services.create_article(current_user, values)
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            return redirect(url_for("kb.view", article_id=article.id))
    return render_template("kb/form.html", article=None, values=values, errors=errors,
                           departments=_departments()), status


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id):
    services.require_writer(current_user)
    article = services.get_visible(current_user, article_id)
    errors, status = {}, 200
    values = {"title": article.title, "category": article.category, "tags": article.tags, "body": article.body,
              "status": article.status, "required_for": article.required_for, "revision": article.revision}
    if request.method == "POST":
        values = _form_data()
        try:
            services.update_article(current_user, article, values)
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            return redirect(url_for("kb.view", article_id=article.id))
    return render_template("kb/form.html", article=article, values=values, errors=errors,
                           departments=_departments()), status


@bp.post("/preview")
@login_required
def preview():
    """The sanitized rendering of the Markdown being written (the live preview)."""
    services.require_writer(current_user)
    body = request.form.get("body", "")
    if len(body) > services.MAX_BODY:
        return render_template("kb/_preview.html", html=None,
                               error=_("At most %(n)s characters.", n=services.MAX_BODY)), 422
    # Images only from the attachments of the article being edited (a new one has none yet).
    article_id = request.form.get("article", type=record_id)
    images = image_paths(services.get_visible(current_user, article_id).id) if article_id else frozenset()
    return render_template("kb/_preview.html", html=render_markdown(body, images), error=None)


@bp.get("/<int:article_id>")
@login_required
def view(article_id):
    article = services.get_visible(current_user, article_id)
    # Opening the page records nothing (a GET has no effect: an image in another page pointing here must
    # not count as a reading); the page posts the reading itself (kb/_read.html).
    return render_template("kb/view.html", article=article, attachments=attachments.of(article),
                           revision_count=article.revision, read_at=reading.read_at(current_user, article))


@bp.post("/<int:article_id>/read")
@login_required
def read(article_id):
    """Record the reading of the current revision: posted by the article page on load (HTMX), or by its
    button without JavaScript."""
    article = services.get_visible(current_user, article_id)
    reading.record_read(current_user, article)
    if not is_htmx():
        return redirect(url_for("kb.view", article_id=article.id))
    return render_template("kb/_read.html", article=article, read_at=reading.read_at(current_user, article))


@bp.get("/<int:article_id>/body")
@login_required
def body(article_id):
    """The article's body: the rendered HTML once the job is done, else the escaped text (still polling)."""
    article = services.get_visible(current_user, article_id)
    return render("kb/view.html", "kb/_body.html", article=article, attachments=attachments.of(article),
                  revision_count=article.revision)


@bp.get("/<int:article_id>/revisions")
@login_required
def revisions(article_id):
    article = services.get_visible(current_user, article_id)
    rows = services.revisions(article, current_user)
    old, new = request.args.get("old", type=record_id), request.args.get("new", type=record_id)
    comparison = None
    if old and new:
        comparison = services.diff(article, old, new, current_user)
    elif len(rows) > 1:
        old, new = rows[1].number, rows[0].number
    return render("kb/revisions.html", "kb/_diff.html", article=article, rows=rows, comparison=comparison,
                  old=old, new=new)


@bp.post("/<int:article_id>/attachments")
@login_required
def upload(article_id):
    article = services.get_visible(current_user, article_id)
    try:
        attachments.add(current_user, article, request.files.get("file"))
    except Invalid as exc:
        return render_template("kb/view.html", article=article, attachments=attachments.of(article),
                               revision_count=article.revision, upload_error=exc.fields.get("file", exc.message)), 422
    return redirect(url_for("kb.view", article_id=article.id))


@bp.post("/images")
@login_required
def paste_image():
    """An image pasted or dropped into the editor (static/js/kb-editor.js): stored as an attachment of the
    article, answered with the Markdown to insert. For an article not saved yet (no ``article``), a draft is
    saved first from the form's title and category, and its address returned for the form to post to."""
    services.require_writer(current_user)
    form = request.form
    article_id = form.get("article", type=record_id)
    file = request.files.get("file")
    article = services.get_visible(current_user, article_id) if article_id else None
    try:
        attachments.require_image(file)
        checked = attachments.store_checked(file)  # refused before any draft is saved for it
    except Invalid as exc:
        return jsonify({"error": {"code": "invalid", "message": exc.message, "fields": exc.fields}}), 422
    if article is None:
        article = services.create_article(current_user, services.draft_for_upload(form))
    attachment = attachments.add(current_user, article, file, checked)
    url = url_for("kb.download", article_id=article.id, attachment_id=attachment.id)
    alt = attachment.original_name.rsplit(".", 1)[0].replace("[", "").replace("]", "")
    return jsonify({"markdown": f"![{alt}]({url})", "url": url, "article": article.id,
                    "revision": article.revision, "edit": url_for("kb.edit", article_id=article.id)}), 201


@bp.get("/<int:article_id>/attachments/<int:attachment_id>")
@login_required
@accepts_bearer
def download(article_id, attachment_id):
    article = services.get_visible(current_user, article_id)
    attachment, path = attachments.for_download(article, attachment_id)
    image_type = attachments.image_type(attachment)
    if image_type:  # shown in the article's body: inline, with its checked type (nosniff is on)
        return send_file(path, download_name=attachment.original_name, mimetype=image_type)
    return send_file(path, as_attachment=True, download_name=attachment.original_name,
                     mimetype="application/octet-stream")


@bp.get("/<int:article_id>/attachments/<int:attachment_id>/status")
@login_required
def attachment_status(article_id, attachment_id):
    article = services.get_visible(current_user, article_id)
    attachment, _path = attachments.for_download(article, attachment_id, need_file=False)
    return render_template("kb/_attachment.html", article=article, attachment=attachment)




@bp.get("/<int:article_id>/readers")
@login_required
def readers(article_id):
    """Who of the article's audience has read it and who has not, per department (supervisors, admins)."""
    article, read, unread = _readers_of(article_id)
    # Counts, not the lists as "read"/"unread": the navigation's notification badge reads a variable "unread".
    return render_template("kb/readers.html", article=article, read_count=len(read), unread_count=len(unread),
                           groups=reading.by_department(read, unread), required=reading.required_labels(article),
                           reminded=reading.reminded_today(article), notified=request.args.get("notified", type=int))


@bp.post("/<int:article_id>/readers/remind")
@login_required
def remind(article_id):
    """Notify the audience yet to read the article (once a day at most per article and person)."""
    article, _read, _unread = _readers_of(article_id)
    notified = reading.remind_unread(current_user, article)
    return redirect(url_for("kb.readers", article_id=article.id, notified=notified))


@bp.get("/<int:article_id>/readers.xlsx")
@login_required
@quotas.limited("exports")
def readers_xlsx(article_id):
    article, read, unread = _readers_of(article_id)
    response = make_response(reading.readers_xlsx(article, read, unread))
    response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="article-{article.id}-readers.xlsx"'
    return response


def _readers_of(article_id):
    """(the article, its readers, its audience yet to read it), for a writer (403 otherwise)."""
    services.require_writer(current_user)
    article = services.get_visible(current_user, article_id)
    return (article, *reading.readers(current_user, article))
