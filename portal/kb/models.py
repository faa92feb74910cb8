"""Knowledge-base tables (migration 4): articles, their revisions and attachments."""

import peewee

from ..auth.models import Department, User
from ..kernel.db import BaseModel, JSONField, utcnow

CATEGORIES = ("regulation", "training", "experience", "policy")
STATUSES = ("draft", "published")


class Article(BaseModel):
    title = peewee.CharField(max_length=200)
    category = peewee.CharField(max_length=16, index=True)
    tags = JSONField(default=list)  # a list of short strings
    body = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="draft", index=True)
    required_for = JSONField(default=dict)  # {"roles": [...], "departments": [codes]}
    author = peewee.ForeignKeyField(User, backref="articles", on_delete="RESTRICT")
    revision = peewee.IntegerField(default=1)  # the number of the newest ArticleRevision
    html = peewee.TextField(default="")  # sanitized rendering of ``rendered_revision``
    rendered_revision = peewee.IntegerField(null=True)  # None until the render job has run
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    published_at = peewee.DateTimeField(null=True)

    @property
    def rendered(self):
        return self.rendered_revision == self.revision


class ArticleRevision(BaseModel):
    """Every saved state of an article: who, when, what (never changed afterwards)."""

    article = peewee.ForeignKeyField(Article, backref="revisions", on_delete="CASCADE")
    number = peewee.IntegerField()
    title = peewee.CharField(max_length=200)
    category = peewee.CharField(max_length=16)
    tags = JSONField(default=list)
    body = peewee.TextField(default="")
    status = peewee.CharField(max_length=16)
    author = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "number"), True),)


class ArticleAttachment(BaseModel):
    """A file of an article, stored by SHA-256 beside the item attachments, and its extracted text."""

    article = peewee.ForeignKeyField(Article, backref="attachments", on_delete="CASCADE")
    original_name = peewee.CharField(max_length=255)
    kind = peewee.CharField(max_length=8)  # pdf, docx, xlsx, pptx, image
    sha256 = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    uploaded_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    uploaded_at = peewee.DateTimeField(default=utcnow)
    # pending -> done | failed | no_text (an image, a scanned PDF)
    extract_status = peewee.CharField(max_length=16, default="pending")
    extract_error = peewee.CharField(max_length=255, default="")
    text = peewee.TextField(default="")
    extracted_at = peewee.DateTimeField(null=True)


class ArticleRequirement(BaseModel):
    """One role or one department an article is required for (``required_for`` as rows, for the query of
    each user's outstanding reading); rewritten with the article."""

    article = peewee.ForeignKeyField(Article, backref="requirements", on_delete="CASCADE")
    role = peewee.CharField(max_length=16, null=True, index=True)
    department = peewee.ForeignKeyField(Department, null=True, on_delete="CASCADE", index=True)


class ArticleRead(BaseModel):
    """``user`` opened revision ``revision`` of ``article`` (学习记录): one row per user and revision."""

    article = peewee.ForeignKeyField(Article, backref="reads", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="article_reads", on_delete="CASCADE")
    revision = peewee.IntegerField()
    read_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "user", "revision"), True), (("user", "article"), False))


MODELS = [Article, ArticleRevision, ArticleAttachment, ArticleRequirement, ArticleRead]
