"""Articles: who may read and write them, saving (each save a revision), listing, differences.

Supervisors and admins write; every signed-in user reads published articles;
a draft is seen only by its author (404 for everyone else). Each save writes
the article, a new ArticleRevision and the search index in one transaction,
then asks for the Markdown to be rendered (a job on queue ``kb``).
"""

import difflib

import peewee
from flask_babel import gettext as _

from ..auth.models import Department
from ..auth.roles import ROLE_LABELS
from ..kernel import jobs
from ..kernel.changes import write_transaction
from ..kernel.db import utcnow
from ..kernel.errors import Conflict, Forbidden, Invalid, NotFound
from ..kernel.forms import Fields
from .models import CATEGORIES, STATUSES, Article, ArticleRevision
from .queries import visible_articles
from .search import index_article

WRITER_ROLES = ("supervisor", "admin")
MAX_BODY = 200_000
MAX_TAGS = 10
PER_PAGE = 20


def may_write(user):
    return user.is_authenticated and user.has_role(*WRITER_ROLES)


def require_writer(user):
    if not may_write(user):
        raise Forbidden(_("Only supervisors and administrators write knowledge-base articles."))


def get_visible(user, article_id):
    """The article if ``user`` may read it; NotFound otherwise (a draft of someone else too)."""
    article = visible_articles(user).where(Article.id == article_id).first()
    if article is None:
        raise NotFound(_("No such article, or you may not see it."))
    return article


def list_articles(user, category=None, tag=None, status=None, page=1, per_page=PER_PAGE):
    """(rows, total) of the articles ``user`` may read, newest change first."""
    query = visible_articles(user)
    if category:
        query = query.where(Article.category == category)
    if status:
        query = query.where(Article.status == status)
    if tag:
        # Tags are kept as a JSON list: match the quoted tag exactly, not a substring of another tag.
        import json

        quoted = peewee.Value(json.dumps(tag, ensure_ascii=False), converter=False)
        query = query.where(Article.tags.contains(quoted))
    total = query.count()
    rows = list(query.order_by(Article.updated_at.desc(), Article.id.desc()).paginate(max(page, 1), per_page))
    return rows, total


def _tags(fields, value):
    if value is None:
        return []
    if isinstance(value, str):
        value = [t for t in value.replace("，", ",").split(",")]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        fields.error("tags", _("Tags must be a list of words."))
        return []
    tags = []
    for tag in value:
        tag = " ".join(tag.split())
        if not tag:
            continue
        if len(tag) > 30:
            fields.error("tags", _("A tag has at most %(n)s characters.", n=30))
        elif tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        fields.error("tags", _("At most %(n)s tags.", n=MAX_TAGS))
    return tags[:MAX_TAGS]


def _required_for(fields, value):
    if value in (None, "", {}):
        return {"roles": [], "departments": []}
    if not isinstance(value, dict):
        fields.error("required_for", _("Give roles and departments as lists."))
        return {"roles": [], "departments": []}
    roles = value.get("roles") or []
    codes = value.get("departments") or []
    if not isinstance(roles, list) or not isinstance(codes, list):
        fields.error("required_for", _("Give roles and departments as lists."))
        return {"roles": [], "departments": []}
    # Each entry a name: a list or an object in the list is refused here, not hashed below (a TypeError).
    if not all(isinstance(r, str) for r in roles) or not all(isinstance(c, str) for c in codes):
        fields.error("required_for", _("Give roles and departments as lists of names."))
        return {"roles": [], "departments": []}
    if any(r not in ROLE_LABELS for r in roles):
        fields.error("required_for", _("Unknown role. Choose among: %(choices)s.", choices=", ".join(ROLE_LABELS)))
    known = {c for (c,) in Department.select(Department.code).where(Department.code.in_(codes)).tuples()}
    unknown = [str(c) for c in codes if c not in known]
    if unknown:
        fields.error("required_for", _("Unknown department: %(codes)s.", codes=", ".join(unknown)))
    return {"roles": sorted(set(roles) & set(ROLE_LABELS)), "departments": sorted(known)}


def read_fields(data, current=None):
    """Validated article fields from ``data``; with ``current`` (an edit) missing keys keep their values."""
    fields = Fields(data)
    values = {}

    def given(name):
        return current is None or name in fields.data

    if given("title"):
        values["title"] = fields.text("title", required=True, max_length=200)
    if given("category"):
        values["category"] = fields.choice("category", CATEGORIES)
    if given("tags"):
        values["tags"] = _tags(fields, fields.data.get("tags"))
    if given("body"):
        values["body"] = fields.text("body", max_length=MAX_BODY, multiline=True)
    if given("status"):
        values["status"] = fields.choice("status", STATUSES) if fields.data.get("status") else "draft"
    if given("required_for"):
        values["required_for"] = _required_for(fields, fields.data.get("required_for"))
    fields.done()
    return values


def _record_requirements(article):
    from .models import ArticleRequirement

    ArticleRequirement.delete().where(ArticleRequirement.article == article.id).execute()
    required = article.required_for or {}
    rows = [{"article": article.id, "role": role, "department": None} for role in required.get("roles", [])]
    rows += [{"article": article.id, "role": None, "department": d} for (d,) in Department.select(Department.id)
             .where(Department.code.in_(required.get("departments", []))).tuples()]
    if rows:
        ArticleRequirement.insert_many(rows).execute()


def _record_revision(article, user):
    ArticleRevision.create(article=article.id, number=article.revision, title=article.title,
                           category=article.category, tags=article.tags, body=article.body,
                           status=article.status, author=user, created_at=article.updated_at)


def draft_for_upload(form):
    """The fields of the draft saved when an image is pasted into an article not yet saved: the form's
    title and category where valid, else a placeholder title (the form's own save checks them again)."""
    title = " ".join((form.get("title") or "").split())
    category = form.get("category")
    return {"title": title if 0 < len(title) <= 200 else _("Untitled draft"),
            "category": category if category in CATEGORIES else CATEGORIES[0], "status": "draft", "body": ""}


def create_article(user, data):
    """A new article (draft unless ``status`` says published) with its first revision; 403/422."""
    require_writer(user)
    values = read_fields(data)
    now = utcnow()
    with write_transaction():
        article = Article.create(author=user, revision=1, created_at=now, updated_at=now,
                                 published_at=now if values["status"] == "published" else None, **values)
        _record_revision(article, user)
        _record_requirements(article)
        index_article(article.id)
    jobs.enqueue("kb.render", article.id)
    return Article.get_by_id(article.id)


def update_article(user, article, data):
    """Save a change as a new revision; ``revision`` (when given) must be the current one (409 otherwise)."""
    require_writer(user)
    values = read_fields(data, current=article)
    expected = data.get("revision") if isinstance(data, dict) else None
    if expected not in (None, ""):
        try:
            expected = int(expected)
        except (TypeError, ValueError, OverflowError):
            raise Invalid(_("Some of the input is not valid."), fields={"revision": _("Must be a whole number.")})
    now = utcnow()
    with write_transaction():
        current = Article.get_by_id(article.id)
        if expected not in (None, "") and expected != current.revision:
            raise Conflict(_("Someone else changed this article in the meantime. Reload it and try again."))
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        if not changed:
            return current
        if changed.get("status") == "published" and current.published_at is None:
            changed["published_at"] = now
        updated = (Article.update(**changed, revision=Article.revision + 1, updated_at=now)
                   .where(Article.id == current.id, Article.revision == current.revision).execute())
        if updated != 1:
            raise Conflict(_("Someone else changed this article in the meantime. Reload it and try again."))
        article = Article.get_by_id(current.id)
        _record_revision(article, user)
        if "required_for" in changed:
            _record_requirements(article)
        index_article(article.id)
    if "body" in changed:
        jobs.enqueue("kb.render", article.id)
    else:  # the body is unchanged: its rendering still holds for the new revision
        Article.update(rendered_revision=article.revision).where(
            Article.id == article.id, Article.revision == article.revision,
            Article.rendered_revision == article.revision - 1).execute()
    return Article.get_by_id(article.id)


def _visible_revisions(user, article):
    """The revisions of ``article`` that ``user`` may read: every one for writers; for readers, the
    public history, which starts with the first published revision (a draft's earlier states, text
    deleted before publishing included, stay with the writers)."""
    query = ArticleRevision.article == article.id
    if not may_write(user):
        first = (ArticleRevision.select(peewee.fn.MIN(ArticleRevision.number))
                 .where(ArticleRevision.article == article.id, ArticleRevision.status == "published").scalar())
        query &= ArticleRevision.number >= (first if first is not None else article.revision + 1)
    return query


def revisions(article, user):
    """The article's revisions ``user`` may read, newest first, with their authors."""
    from ..auth.models import User

    return list(ArticleRevision.select(ArticleRevision, User).join(User)
                .where(_visible_revisions(user, article)).order_by(ArticleRevision.number.desc()))


def revision(article, number, user):
    found = ArticleRevision.get_or_none(_visible_revisions(user, article), ArticleRevision.number == number)
    if found is None:
        raise NotFound(_("This revision does not exist."))
    return found


def _lines(rev):
    head = [f"# {rev.title}", f"[{rev.category}] {', '.join(rev.tags or [])} ({rev.status})", ""]
    return head + rev.body.split("\n")


def diff(article, old, new, user):
    """The differences between revisions ``old`` and ``new`` as (sign, text) lines ('+', '-', ' ', '@');
    the template escapes the text."""
    a, b = revision(article, old, user), revision(article, new, user)
    lines = []
    for line in difflib.unified_diff(_lines(a), _lines(b), lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        sign = line[:1] if line[:1] in "+- @" else " "
        lines.append((sign, line[1:] if sign != "@" else line))
    return a, b, lines
