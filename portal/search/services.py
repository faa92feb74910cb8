"""One search over what the features make searchable (hooks.search_sources: items, articles, trainings,
petitions, inspection findings),
each only as far as the user may see it.

Ranking: objects with more of the query's words in their title first, then the
newest. Snippets are plain text (the Markdown of a body read as text, its marks
left out), cut around the first match, escaped, and the matching words wrapped
in <mark>.
"""

import re
import typing

import peewee
from markupsafe import Markup, escape

from ..kernel import hooks
from ..kernel.paging import Total
from . import index
from .models import BODY, TITLE, SearchToken
from .segment import query_tokens

SNIPPET = 90
PER_PAGE = 20

class Source(typing.NamedTuple):
    """What a feature makes searchable (an entry of hooks.search_sources)."""

    label: object  # the kind's name on the search page
    visible_ids: object  # (user) -> a subquery of the ids the user may see, or None for all
    load: object  # (ids) -> {id: {"title", "texts", "id", "url"}} for one page of results


COUNT_CAP = 1000  # a search counts its matches up to here, then says "1000+" (Total)


def _exists(query):
    """``query`` has a row, tested row by row: "(SELECT 1 … LIMIT 1) IS NOT NULL", which PostgreSQL plans as
    one probe per row read. An EXISTS it may turn into a join or a hash of every match, and it did once
    psycopg had prepared the statement (after five runs) and PostgreSQL chose its generic plan, blind to
    the word: the count of a word in 80 articles merged its entries with all 20,000 articles, 38 ms
    instead of 0.3."""
    return peewee.Expression(query.select(peewee.SQL("1")).limit(1), peewee.OP.IS_NOT, None)


def _visible(kind, user, column):
    """The condition "the object ``column`` of ``kind`` is one ``user`` may see", or None for all of them.

    A model's query of ids becomes a test of that row, on its key: one lookup per index entry read. As
    ``column IN (ids)`` SQLite would instead look up the index once for every visible id (20,000 articles:
    15 ms for a word in 80 of them) or first collect them all.
    """
    ids = hooks.search_sources[kind].visible_ids(user)
    if ids is None:
        return None
    if isinstance(ids, peewee.ModelSelect):
        (selected,) = ids._returning
        # Compared on the column it selects (its key, or the ids another table holds), so it stays true.
        return _exists(ids.where(selected == column))
    return column.in_(ids)


def _where(query, *conditions):
    return query.where(*[c for c in conditions if c is not None])


def _entries(kinds, words):
    """{(kind, word): its index entries, counted up to FREQUENT} in one query."""
    union = None
    for k in kinds:
        for w in words:
            some = (SearchToken.select(peewee.SQL("1")).where(SearchToken.token == w, SearchToken.kind == k)
                    .limit(index.FREQUENT).alias("some"))
            part = peewee.Select([some], [peewee.Value(k), peewee.Value(w), peewee.fn.COUNT(peewee.SQL("*"))])
            union = part if union is None else union.union_all(part)
    found = union.bind(SearchToken._meta.database).tuples().execute()
    return {(k, w): n for k, w, n in found}


def _drivers(kinds, words):
    """{kind: (the word whose entries a search of ``words`` reads, True when it has fewer than FREQUENT)}:
    the rarest in the kind; a kind without one of the words is left out."""
    if len(words) == 1:
        return {k: (words[0], False) for k in kinds}
    entries = _entries(kinds, words)
    drivers = {k: min(words, key=lambda w: entries[k, w]) for k in kinds}
    return {k: (w, entries[k, w] < index.FREQUENT) for k, w in drivers.items() if entries[k, w]}


def _also_in(kind, words, field=None):
    """The object of the current row has one of ``words`` (in ``field``, or anywhere): an index probe a word."""
    other = SearchToken.alias()
    query = other.select().where(other.token.in_(words), other.kind == kind, other.ref_id == SearchToken.ref_id)
    return _exists(query.where(other.field == field) if field else query)


def _stream(query, enough, rank=None):
    """Rows (kind, ref_id, title_hits) of ``query``, best first (by ``rank`` if any, then the newest), at
    most ``enough``."""
    order = ([rank.desc()] if rank is not None else []) + [SearchToken.ref_id.desc()]
    part = query.order_by(*order).limit(enough).alias("s")
    return peewee.Select([part], [part.c.kind, part.c.ref_id, part.c.title_hits])


def _ranked(words, kinds, user, offset, per_page):
    """(total, [(kind, ref_id)] of the page): objects with every word, more of them in the title first,
    then the newest; the count stops at COUNT_CAP.

    Per kind the objects with a word in the title (for one word its title entries newest first, stopped
    at the end of the page; for several every such object, ranked by its number of title words: read from
    the rarest word's entries when it has fewer than FREQUENT, else from the words' title entries), then
    those without, read newest first from the rarest word's body entries and stopped at the end of the
    page; each checked for the other words with an index probe. So a word in 20,000 objects reads about
    a page of index entries, not all of them.
    """
    database = SearchToken._meta.database
    enough = offset + per_page
    union = counted = None
    for k, (driver, rare) in _drivers(kinds, words).items():
        rows = SearchToken.select(peewee.Value(k).alias("kind"), SearchToken.ref_id)
        has_others = [_also_in(k, [w]) for w in words if w != driver]
        visible = _visible(k, user, SearchToken.ref_id)  # first: for a handler's items the most selective
        on = (SearchToken.kind == k)
        if len(words) == 1:
            rank = None
            titled = _where(rows.select_extend(peewee.SQL("1").alias("title_hits"))
                            .where(on, SearchToken.token == driver, SearchToken.field == TITLE), visible)
        elif rare:  # the rare word's objects with a title word, each with its number of them
            rank = peewee.SQL('"title_hits"')
            title = SearchToken.alias()
            title_hits = title.select(peewee.fn.COUNT(peewee.SQL("*"))).where(
                title.token.in_(words), title.kind == k, title.ref_id == SearchToken.ref_id, title.field == TITLE)
            titled = _where(rows.select_extend(title_hits.alias("title_hits"))
                            .where(on, SearchToken.token == driver),
                            visible, _also_in(k, words, TITLE), *has_others).group_by(SearchToken.ref_id)
        else:  # the title entries of every word, one per object and title word: their count ranks
            rank = peewee.SQL('"title_hits"')
            titled = _where(rows.select_extend(peewee.fn.COUNT(peewee.SQL("*")).alias("title_hits"))
                            .where(on, SearchToken.token.in_(words), SearchToken.field == TITLE),
                            visible, *[_also_in(k, [w]) for w in words]).group_by(SearchToken.ref_id)
        untitled = _where(rows.select_extend(peewee.SQL("0").alias("title_hits"))
                          .where(on, SearchToken.token == driver, SearchToken.field == BODY),
                          visible, ~_also_in(k, words, TITLE), *has_others)
        for part in (_stream(titled, enough, rank), _stream(untitled, enough)):
            union = part if union is None else union.union_all(part)
        # Each object once: its body entry of the driver, or its title entry when the body lacks it.
        once = (SearchToken.field == BODY) | ~_also_in(k, [driver], BODY)
        part = _where(SearchToken.select(peewee.SQL("1")).where(on, SearchToken.token == driver), visible, once,
                      *has_others)
        counted = part if counted is None else counted.union_all(part)
    if union is None:
        return Total(0), []
    rows = union.alias("hits")
    hits = (peewee.Select([rows], [rows.c.kind, rows.c.ref_id])
            .order_by(rows.c.title_hits.desc(), rows.c.ref_id.desc(), rows.c.kind)
            .limit(per_page).offset(offset).bind(database).tuples().execute())
    capped = counted.limit(COUNT_CAP + 1).alias("capped")
    found = peewee.Select([capped], [peewee.fn.COUNT(peewee.SQL("*"))]).bind(database).scalar()
    return Total.of(found, COUNT_CAP), list(hits)


def search(user, q, kind=None, page=1, per_page=PER_PAGE):
    """(total, results) for ``q``: total a Total (capped at COUNT_CAP: "1000+"), results dicts kind, id,
    title, snippet (Markup), url."""
    words = query_tokens(q)
    kinds = [k for k in hooks.search_sources if not kind or k == kind]
    if not words or not kinds:
        return Total(0), []
    offset = (max(1, page) - 1) * per_page
    total, hits = _ranked(words, kinds, user, offset, per_page)
    loaded = {}
    for k in kinds:
        ids = [ref_id for (hit_kind, ref_id) in hits if hit_kind == k]
        if ids:
            loaded[k] = hooks.search_sources[k].load(ids)
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


def _parser():
    global _markdown
    if _markdown is None:
        from markdown_it import MarkdownIt

        _markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return _markdown


_markdown = None
REACH = 4000  # characters either side of a match read for its block
LEFT_MARKS = re.compile(r"\*\*+|__+|~~+")


def plain_text(text):
    """The text of Markdown ``text`` as a reader sees it, without its marks (``**``, ``#``, table pipes and
    rules, link targets): the text of each block (paragraph, heading, table cell, code) on a line."""
    lines = []
    for token in _parser().parse(text or ""):
        if token.type == "inline":
            parts = [" " if child.type in ("softbreak", "hardbreak") else child.content
                     for child in token.children or () if child.type in ("text", "code_inline", "image",
                                                                          "softbreak", "hardbreak")]
            # Marks CommonMark leaves as text (``__重点__是``: underscores inside Chinese words never close).
            lines.append(LEFT_MARKS.sub("", "".join(parts)))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content)
    return "\n".join(line for line in lines if line.strip())


def _block(text, at):
    """(start, end) of the Markdown blocks around position ``at``: from the blank line before to the one
    after (a table whole, with its header), at most REACH characters either side."""
    start = text.rfind("\n\n", max(0, at - REACH), at)
    start = max(0, at - REACH) if start < 0 else start + 2
    end = text.find("\n\n", at, at + REACH)
    return start, (min(len(text), at + REACH) if end < 0 else end)


def _piece(plain, at, width, before, after):
    """``width`` characters of ``plain`` from about a third before ``at``, with "…" where text goes on."""
    start = max(0, at - width // 3)
    piece = " ".join(plain[start:start + width].split())
    return piece, before or start > 0, after or start + width < len(plain)


def snippet(texts, words, width=SNIPPET):
    """About ``width`` characters of plain text (Markdown marks left out) around the first match in
    ``texts`` (else the start of the first non-empty text), escaped, the words marked."""
    pattern = _pattern(words) if words else None
    for text in texts:
        match = pattern.search(text) if pattern and text else None
        if match:
            start, end = _block(text, match.start())
            plain = plain_text(text[start:end])
            found = pattern.search(plain)
            if found is None:  # the word was in a mark (a link's address): look further
                continue
            piece, before, after = _piece(plain, found.start(), width, start > 0, end < len(text))
            return ("…" if before else "") + highlight(piece, words) + ("…" if after else "")
    first = next((t for t in texts if t), "")
    plain = plain_text(first[:REACH])
    piece, _, after = _piece(plain, 0, width, False, len(first) > REACH)
    return escape(piece) + ("…" if after else "")
