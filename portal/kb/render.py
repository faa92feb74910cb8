"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, strikethrough; raw HTML off), then nh3.

nh3 (the Rust ``ammonia`` sanitizer) keeps only the tags and attributes listed
here: no script, no style, no event handler, no ``javascript:``/``data:`` URL.
Images are kept only when their source is on the portal itself (a path such as
``/kb/…``): a remote image would leak who reads what, and the CSP forbids it.
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


def _local_path(value):
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _filter(tag, attribute, value):
    if tag == "img" and attribute == "src":
        return value if _local_path(value) else None
    if tag == "code" and attribute == "class":
        return value if value.startswith("language-") and value.replace("-", "").isalnum() else None
    return value


def sanitize(html):
    """``html`` with everything outside the allow-list removed."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_filter, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True,
                     clean_content_tags={"script", "style"})


def render_markdown(source):
    """The sanitized HTML of the Markdown ``source``."""
    return sanitize(_parser().render(source or ""))


def render_article(article_id):
    """Store the sanitized HTML of the article's newest revision (nothing when a newer save overtook it)."""
    row = Article.select(Article.revision, Article.body).where(Article.id == article_id).first()
    if row is None:
        return False
    html = render_markdown(row.body)
    return (Article.update(html=html, rendered_revision=row.revision)
            .where(Article.id == article_id, Article.revision == row.revision).execute()) == 1
