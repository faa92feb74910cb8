"""The knowledge base's named visibility query."""

from .models import Article


def visible_articles(user):
    """Articles ``user`` may read: the published ones and their own drafts."""
    return Article.select().where((Article.status == "published") | (Article.author == user.id))
