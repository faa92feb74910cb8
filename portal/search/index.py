"""Keeping the search index current: each searchable object's words, rewritten whole when its text changes.

A feature indexes its objects with ``index_object`` inside the transaction that changes their text, so
the index and the text commit together, and adds ``(model, indexer)`` to ``hooks.search_indexers`` so
that ``reindex_all`` (``flask --app wsgi kb-reindex``) can rebuild them.
"""

import peewee

from ..kernel import hooks
from ..kernel.db import database
from .models import BODY, TITLE, SearchToken
from .segment import index_tokens, query_tokens

BATCH = 500
FREQUENT = 2000  # objects with a word, from which it is checked per object rather than listed (containing)


def index_object(kind, ref_id, title, texts):
    """Replace the words of object (``kind``, ``ref_id``): ``title``'s as title words, ``texts``' as body."""
    SearchToken.delete().where(SearchToken.kind == kind, SearchToken.ref_id == ref_id).execute()
    rows = [{"kind": kind, "ref_id": ref_id, "field": TITLE, "token": t} for t in index_tokens(title)]
    body = set()
    for text in texts:
        body |= index_tokens(text)
    rows += [{"kind": kind, "ref_id": ref_id, "field": BODY, "token": t} for t in body]
    for start in range(0, len(rows), BATCH):
        SearchToken.insert_many(rows[start:start + BATCH]).execute()


def texts_of(owner, text, ids):
    """{owner id: [its rows' non-empty ``text``, in row order]} of the rows whose field ``owner`` is among
    ``ids`` (an item's comments, an article's attachments' text): what a source shows beside an object."""
    found = {}
    for owner_id, value in (owner.model.select(owner, text).where(owner.in_(ids), text != "")
                            .order_by(owner.model.id).tuples()):
        found.setdefault(owner_id, []).append(value)
    return found


def reindex_all(kinds=None):
    """Rebuild the index of ``kinds`` (default every registered kind); return {kind: objects indexed}."""
    done = {}
    for kind, (model, indexer) in hooks.search_indexers.items():
        if kinds and kind not in kinds:
            continue
        ids = [i for (i,) in model.select(model.id).order_by(model.id).tuples()]
        with database.atomic():
            SearchToken.delete().where(SearchToken.kind == kind).execute()
        for start in range(0, len(ids), 200):
            with database.atomic():
                for ref_id in ids[start:start + 200]:
                    indexer(ref_id)
        done[kind] = len(ids)
    return done


def containing(kind, words, column):
    """A condition on ``column`` (an id): the object of ``kind`` has every one of ``words``.

    A rare word is a list of ids (one index lookup: the database then reads just those objects); a
    frequent one (FREQUENT objects or more) is checked object by object (one index probe each): a list
    sorted by deadline then reads objects in its order and stops at its page, instead of collecting
    100,000 ids for a word in every title first.
    """
    condition = None
    for word in words:
        if _frequent(kind, word):
            token = SearchToken.alias()
            part = peewee.fn.EXISTS(token.select(peewee.SQL("1")).where(
                token.kind == kind, token.token == word, token.ref_id == column))
        else:
            part = column.in_(SearchToken.select(SearchToken.ref_id).where(
                SearchToken.kind == kind, SearchToken.token == word))
        condition = part if condition is None else condition & part
    return condition


def _frequent(kind, word):
    """True when at least FREQUENT objects of ``kind`` have ``word`` (reads at most that many index entries)."""
    return (SearchToken.select(peewee.SQL("1")).where(SearchToken.kind == kind, SearchToken.token == word)
            .offset(FREQUENT - 1).limit(1).exists())


def matching(kind, q, column):
    """The condition "``column`` is an object of ``kind`` with every word of the query ``q``", or None when
    ``q`` has no word at all."""
    words = query_tokens(q)
    return containing(kind, words, column) if words else None
