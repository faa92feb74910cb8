"""One search over items, articles and trainings, each only as far as the user may see it.

Ranking: objects with more of the query's words in their title first, then the
newest. Snippets are cut from the text around the first match, escaped, and
the matching words wrapped in <mark>.
"""

import re

import peewee
from flask import url_for
from markupsafe import Markup, escape

from .index import containing
from .models import KINDS, TITLE, SearchToken
from .segment import query_tokens

SNIPPET = 90
PER_PAGE = 20

# kind -> (ids the user may see: a subquery or None for "all", loader of the page's rows)
SOURCES = {}


def register_source(kind, visible_ids, load):
    """Make ``kind`` searchable: ``visible_ids(user)`` a subquery of the ids the user may see;
    ``load(ids)`` {id: {"title", "texts", "id", "url"}} for one page of results."""
    SOURCES[kind] = (visible_ids, load)


def _kind_query(kind, words, user):
    visible_ids, _load = SOURCES[kind]
    title_hits = peewee.fn.COUNT(peewee.Case(None, [(SearchToken.field == TITLE, SearchToken.token)], None)
                                 .distinct())
    query = (SearchToken.select(peewee.Value(kind).alias("kind"), SearchToken.ref_id,
                                title_hits.alias("title_hits"))
             .where(SearchToken.kind == kind, SearchToken.token.in_(words))
             .group_by(SearchToken.ref_id))
    if len(words) > 1:  # every word, not any: the intersection of each word's objects
        query = query.where(containing(kind, words, SearchToken.ref_id))
    ids = visible_ids(user)
    if ids is not None:
        query = query.where(SearchToken.ref_id.in_(ids))
    return query


def search(user, q, kind=None, page=1, per_page=PER_PAGE):
    """(total, results) for ``q``: results are dicts kind, id, title, snippet (Markup), url."""
    words = query_tokens(q)
    kinds = [k for k in KINDS if k in SOURCES and (not kind or k == kind)]
    if not words or not kinds:
        return 0, []
    union = None
    for k in kinds:
        part = _kind_query(k, words, user)
        union = part if union is None else union.union_all(part)
    rows = union.alias("hits")
    database = SearchToken._meta.database
    page = max(1, page)
    # One pass: the page and, beside each row, the number of all matches (a window over the whole result).
    hits = list(peewee.Select([rows], [rows.c.kind, rows.c.ref_id, rows.c.title_hits,
                                       peewee.fn.COUNT(peewee.SQL("*")).over().alias("total")])
                .order_by(rows.c.title_hits.desc(), rows.c.ref_id.desc(), rows.c.kind)
                .limit(per_page).offset((page - 1) * per_page).bind(database).tuples().execute())
    if hits:
        total = hits[0][3]
    elif page == 1:
        return 0, []
    else:  # past the last page: count on its own
        total = peewee.Select([rows], [peewee.fn.COUNT(peewee.SQL("*"))]).bind(database).scalar()
        return total, []
    loaded = {}
    for k in kinds:
        ids = [ref_id for (hit_kind, ref_id, _t, _n) in hits if hit_kind == k]
        if ids:
            loaded[k] = SOURCES[k][1](ids)
    results = []
    for hit_kind, ref_id, _title_hits, _total in hits:
        doc = loaded.get(hit_kind, {}).get(ref_id)
        if doc is None:
            continue
        results.append({"kind": hit_kind, "id": doc["id"], "title": doc["title"], "url": doc["url"],
                        "title_html": highlight(doc["title"], words),
                        "snippet": snippet(doc["texts"], words)})
    return total, results


def _pattern(words):
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def highlight(text, words):
    """``text`` escaped, with every occurrence of ``words`` in <mark>."""
    if not words:
        return escape(text)
    out, last = [], 0
    for match in _pattern(words).finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(texts, words, width=SNIPPET):
    """About ``width`` characters around the first match in ``texts`` (else the start of the first
    non-empty text), escaped, the words marked."""
    pattern = _pattern(words) if words else None
    for text in texts:
        match = pattern.search(text) if pattern and text else None
        if match:
            start = max(0, match.start() - width // 3)
            piece = " ".join(text[start:start + width].split())
            return (("…" if start else "") + highlight(piece, words)
                    + ("…" if start + width < len(text) else ""))
    first = next((t for t in texts if t), "")
    piece = " ".join(first[:width].split())
    return escape(piece) + ("…" if len(first) > width else "")


# --- the built-in sources: items and articles --------------------------------

def _visible_item_ids(user):
    from ..items.visibility import sees_all, visible_ids

    return None if sees_all(user) else visible_ids(user)


def _load_items(ids):
    from ..items.models import Item, ItemEvent

    items = {i.id: i for i in Item.select(Item.id, Item.number, Item.title, Item.content).where(Item.id.in_(ids))}
    comments = {}
    for event in (ItemEvent.select(ItemEvent.item, ItemEvent.comment)
                  .where(ItemEvent.item.in_(ids), ItemEvent.comment != "").order_by(ItemEvent.id)):
        comments.setdefault(event.item_id, []).append(event.comment)
    return {i: {"id": item.number, "title": item.title, "texts": [item.content, *comments.get(i, [])],
                "url": url_for("items.detail", number=item.number)} for i, item in items.items()}


def _visible_article_ids(user):
    from ..kb.services import visible_articles
    from ..kb.models import Article

    return visible_articles(user).select(Article.id)


def _load_articles(ids):
    from ..kb.models import Article, ArticleAttachment

    articles = {a.id: a for a in Article.select(Article.id, Article.title, Article.body).where(Article.id.in_(ids))}
    texts = {}
    for attachment in (ArticleAttachment.select(ArticleAttachment.article, ArticleAttachment.text)
                       .where(ArticleAttachment.article.in_(ids), ArticleAttachment.text != "")
                       .order_by(ArticleAttachment.id)):
        texts.setdefault(attachment.article_id, []).append(attachment.text)
    return {i: {"id": a.id, "title": a.title, "texts": [a.body, *texts.get(i, [])],
                "url": url_for("kb.view", article_id=a.id)} for i, a in articles.items()}


register_source("item", _visible_item_ids, _load_items)
register_source("article", _visible_article_ids, _load_articles)
