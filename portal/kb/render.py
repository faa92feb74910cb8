"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, strikethrough; raw HTML off), then nh3.

nh3 (the Rust ``ammonia`` sanitizer) keeps only the tags and attributes listed
here: no script, no style, no event handler, no ``javascript:``/``data:`` URL.
Images are kept only when their source is one of the article's own image
attachments (``/kb/<article>/attachments/<n>``): a remote image would leak who
reads what (and the CSP forbids it), and any other portal URL as an image would
be fetched by every reader's browser with their session — a GET that must not
count as anything (issue 21: ``![](/kb/77)``, ``![](/feed)``).
"""

import nh3
from markdown_it import MarkdownIt

from .models import Article

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = None


def _parser():
    global _markdown
    if _markdown is None:
        # html=False: raw HTML in the source is shown as text, never passed on.
        _markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return _markdown


def _filter_for(images):
    def allow(tag, attribute, value):
        if tag == "img" and attribute == "src":
            return value if value in images else None
        if tag == "code" and attribute == "class":
            return value if value.startswith("language-") and value.replace("-", "").isalnum() else None
        return value
    return allow


def sanitize(html, images=frozenset()):
    """``html`` with everything outside the allow-list removed; an image only when its source is in
    ``images`` (exact paths)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_filter_for(frozenset(images)),
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow", strip_comments=True,
                     clean_content_tags={"script", "style"})


def render_markdown(source, images=frozenset()):
    """The sanitized HTML of the Markdown ``source``, images only from the paths in ``images``."""
    return sanitize(_parser().render(source or ""), images)


def image_paths(article_id):
    """The paths of the article's image attachments: the only image sources its body may show."""
    from .models import ArticleAttachment

    return frozenset(f"/kb/{article_id}/attachments/{i}" for (i,) in ArticleAttachment.select(ArticleAttachment.id)
                     .where(ArticleAttachment.article == article_id, ArticleAttachment.kind == "image").tuples())


def render_article(article_id):
    """Store the sanitized HTML of the article's newest revision (nothing when a newer save overtook it)."""
    row = Article.select(Article.revision, Article.body).where(Article.id == article_id).first()
    if row is None:
        return False
    html = render_markdown(row.body, image_paths(article_id))
    return (Article.update(html=html, rendered_revision=row.revision)
            .where(Article.id == article_id, Article.revision == row.revision).execute()) == 1
