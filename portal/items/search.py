"""What the items give the search: their words in the index, who may see them, a page of results."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..kernel import hooks
from ..search.index import index_object, texts_of
from ..search.services import Source
from .models import Attachment, Item, ItemEvent
from .visibility import sees_all, visible_ids


def index_item(item_id):
    """Index an item: title; number, content, the comments of its events and the text of its attachments."""
    item = Item.get_by_id(item_id)
    comments = texts_of(ItemEvent.item, ItemEvent.comment, [item_id]).get(item_id, [])
    files = texts_of(Attachment.item, Attachment.text, [item_id]).get(item_id, [])
    index_object("item", item_id, item.title, [item.number, item.content, *comments, *files])


def _visible_ids(user):
    return None if sees_all(user) else visible_ids(user)


def _load(ids):
    items = {i.id: i for i in Item.select(Item.id, Item.number, Item.title, Item.content).where(Item.id.in_(ids))}
    comments = texts_of(ItemEvent.item, ItemEvent.comment, ids)
    files = texts_of(Attachment.item, Attachment.text, ids)
    return {i: {"id": item.number, "title": item.title,
                "texts": [item.content, *comments.get(i, []), *files.get(i, [])],
                "url": url_for("items.detail", number=item.number)} for i, item in items.items()}


def register():
    hooks.search_sources.add("item", Source(_l("Supervision item"), _visible_ids, _load))
    hooks.search_indexers.add("item", (Item, index_item))
