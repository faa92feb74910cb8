"""What the knowledge base gives the search: articles' words (with their attachments' text), who may see
them, a page of results."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..kernel import hooks
from ..search.index import index_object, texts_of
from ..search.services import Source
from .models import Article, ArticleAttachment
from .queries import visible_articles


def index_article(article_id):
    """Index an article: title; tags, body and the extracted text of its attachments."""
    article = Article.get_by_id(article_id)
    texts = texts_of(ArticleAttachment.article, ArticleAttachment.text, [article_id]).get(article_id, [])
    index_object("article", article_id, article.title, [" ".join(article.tags or []), article.body, *texts])


def _visible_ids(user):
    return visible_articles(user).select(Article.id)


def _load(ids):
    articles = {a.id: a for a in Article.select(Article.id, Article.title, Article.body).where(Article.id.in_(ids))}
    texts = texts_of(ArticleAttachment.article, ArticleAttachment.text, ids)
    return {i: {"id": a.id, "title": a.title, "texts": [a.body, *texts.get(i, [])],
                "url": url_for("kb.view", article_id=a.id)} for i, a in articles.items()}


def register():
    hooks.search_sources.add("article", Source(_l("Article"), _visible_ids, _load))
    hooks.search_indexers.add("article", (Article, index_article))
