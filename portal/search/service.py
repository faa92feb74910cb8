"""One search over items, articles and trainings, each only as far as the user may see it.

Ranking: objects with more of the query's words in their title first, then the
newest. Snippets are cut from the text around the first match, escaped, and
the matching words wrapped in <mark>.
"""

import re

import peewee
from flask import url_for
from markupsafe import Markup, escape

from ..items.queries import Total
from .index import FREQUENT
from .models import BODY, KINDS, TITLE, SearchToken
from .segment import query_tokens

SNIPPET = 90
PER_PAGE = 20

# kind -> (ids the user may see: a subquery or None for "all", loader of the page's rows)
SOURCES = {}
COUNT_CAP = 1000  # a one-word search counts its matches up to here, then says "1000+" (Total)


def register_source(kind, visible_ids, load):
    """Make ``kind`` searchable: ``visible_ids(user)`` a subquery of the ids the user may see;
    ``load(ids)`` {id: {"title", "texts", "id", "url"}} for one page of results."""
    SOURCES[kind] = (visible_ids, load)


def _visible(kind, user, column):
    """The condition "the object ``column`` of ``kind`` is one ``user`` may see", or None for all of them.

    A model's query of ids becomes EXISTS (that row, on its key): one lookup per index entry read. As
    ``column IN (ids)`` SQLite would instead look up the index once for every visible id (20,000 articles:
    15 ms for a word in 80 of them) or first collect them all.
    """
    ids = SOURCES[kind][0](user)
    if ids is None:
        return None
    if isinstance(ids, peewee.ModelSelect):
        return peewee.fn.EXISTS(ids.select(peewee.SQL("1")).where(ids.model._meta.primary_key == column))
    return column.in_(ids)


def _where(query, *conditions):
    return query.where(*[c for c in conditions if c is not None])


def _entries(kinds, words):
    """{(kind, word): its index entries, counted up to FREQUENT} in one query."""
    union = None
    for k in kinds:
        for w in words:
            some = (SearchToken.select(peewee.SQL("1")).where(SearchToken.token == w, SearchToken.kind == k)
                    .limit(FREQUENT).alias("some"))
            part = peewee.Select([some], [peewee.Value(k), peewee.Value(w), peewee.fn.COUNT(peewee.SQL("*"))])
            union = part if union is None else union.union_all(part)
    found = union.bind(SearchToken._meta.database).tuples().execute()
    return {(k, w): n for k, w, n in found}


def _kind_query(kind, words, driver, user):
    """Every visible object of ``kind`` with all of ``words``, with its number of them in its title: the
    objects of the word ``driver`` (the rarest), each checked for the others (one index probe a word)."""
    title = SearchToken.alias()
    title_hits = title.select(peewee.fn.COUNT(peewee.SQL("*"))).where(
        title.token.in_(words), title.kind == kind, title.ref_id == SearchToken.ref_id, title.field == TITLE)
    query = (SearchToken.select(peewee.Value(kind).alias("kind"), SearchToken.ref_id, title_hits.alias("title_hits"))
             .where(SearchToken.token == driver, SearchToken.kind == kind)
             .group_by(SearchToken.ref_id))
    for word in words:
        if word != driver:
            other = SearchToken.alias()
            query = query.where(peewee.fn.EXISTS(other.select(peewee.SQL("1")).where(
                other.token == word, other.kind == kind, other.ref_id == SearchToken.ref_id)))
    return _where(query, _visible(kind, user, SearchToken.ref_id))


def _many_words(words, kinds, user, offset, per_page):
    """(total, hits) for several words: every match ranked (the count is exact), read from the entries of
    the word with the fewest in each kind; a kind without one of the words is left out."""
    entries = _entries(kinds, words)
    union = None
    for k in kinds:
        driver = min(words, key=lambda w: entries[k, w])
        if entries[k, driver] == 0:
            continue
        part = _kind_query(k, words, driver, user)
        union = part if union is None else union.union_all(part)
    if union is None:
        return Total(0), []
    rows = union.alias("hits")
    # One pass: the page and, beside each row, the number of all matches (a window over the whole result).
    hits = list(peewee.Select([rows], [rows.c.kind, rows.c.ref_id, rows.c.title_hits,
                                       peewee.fn.COUNT(peewee.SQL("*")).over().alias("total")])
                .order_by(rows.c.title_hits.desc(), rows.c.ref_id.desc(), rows.c.kind)
                .limit(per_page).offset(offset).bind(SearchToken._meta.database).tuples().execute())
    if hits:
        return Total(hits[0][3]), [(kind, ref_id) for kind, ref_id, _t, _n in hits]
    if offset == 0:
        return Total(0), []
    # past the last page: count on its own
    return Total(peewee.Select([rows], [peewee.fn.COUNT(peewee.SQL("*"))]).bind(SearchToken._meta.database)
                 .scalar()), []


def _field_rows(kind, word, field, user):
    """The rows of ``word`` in ``field`` of objects of ``kind`` the user may see."""
    return _where(SearchToken.select(peewee.Value(kind).alias("kind"), SearchToken.ref_id)
                  .where(SearchToken.token == word, SearchToken.kind == kind, SearchToken.field == field),
                  _visible(kind, user, SearchToken.ref_id))


def _also_in(kind, word, field):
    """The object of the current row has ``word`` in ``field`` too (one index probe)."""
    other = SearchToken.alias()
    return peewee.fn.EXISTS(other.select(peewee.SQL("1")).where(
        other.token == word, other.kind == kind, other.ref_id == SearchToken.ref_id, other.field == field))


def _one_word(word, kinds, user, offset, per_page):
    """(total, hits) for one word, reading about as many index entries as the page needs, not every match.

    An object ranks first with the word in its title (title_hits 1), then newest first: per kind, the
    title entries newest first, then the body entries of objects without it in the title; each read in the
    index's order and stopped at the end of the page. The count stops at COUNT_CAP.
    """
    database = SearchToken._meta.database
    enough = offset + per_page
    union = None
    for k in kinds:
        for field, title_hits, extra in ((TITLE, 1, None), (BODY, 0, ~_also_in(k, word, TITLE))):
            stream = (_where(_field_rows(k, word, field, user), extra)
                      .order_by(SearchToken.ref_id.desc()).limit(enough).alias("s"))
            part = peewee.Select([stream], [stream.c.kind, stream.c.ref_id,
                                            peewee.SQL(str(title_hits)).alias("title_hits")])
            union = part if union is None else union.union_all(part)
    rows = union.alias("hits")
    hits = (peewee.Select([rows], [rows.c.kind, rows.c.ref_id])
            .order_by(rows.c.title_hits.desc(), rows.c.ref_id.desc(), rows.c.kind)
            .limit(per_page).offset(offset).bind(database).tuples().execute())
    # Each object once: its body entries, or its title entry when the body lacks the word.
    counted = None
    for k in kinds:
        part = _where(_field_rows(k, word, BODY, user).select(peewee.SQL("1")))
        title_only = _where(_field_rows(k, word, TITLE, user).select(peewee.SQL("1")), ~_also_in(k, word, BODY))
        part = part.union_all(title_only)
        counted = part if counted is None else counted.union_all(part)
    capped = counted.limit(COUNT_CAP + 1).alias("capped")
    found = peewee.Select([capped], [peewee.fn.COUNT(peewee.SQL("*"))]).bind(database).scalar()
    return Total.of(found, COUNT_CAP), list(hits)


def search(user, q, kind=None, page=1, per_page=PER_PAGE):
    """(total, results) for ``q``: total a Total (for one word capped at COUNT_CAP: "1000+"), results
    dicts kind, id, title, snippet (Markup), url."""
    words = query_tokens(q)
    kinds = [k for k in KINDS if k in SOURCES and (not kind or k == kind)]
    if not words or not kinds:
        return Total(0), []
    offset = (max(1, page) - 1) * per_page
    if len(words) == 1:
        total, hits = _one_word(words[0], kinds, user, offset, per_page)
    else:
        total, hits = _many_words(words, kinds, user, offset, per_page)
    loaded = {}
    for k in kinds:
        ids = [ref_id for (hit_kind, ref_id) in hits if hit_kind == k]
        if ids:
            loaded[k] = SOURCES[k][1](ids)
    results = []
    for hit_kind, ref_id in hits:
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
