"""What the petitions give the search: their words in the index, who may see them, a page of results.

The index holds the words of a petition with the phone numbers written in it left out (phones.strip_text):
one index serves every reader, and a handler, who reads the numbers masked, must not find a petition by a
digit hidden from them. Titles and snippets show the numbers masked to everyone; the petition's page
shows supervisors and leaders the full text.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..kernel import hooks
from ..search.index import index_object
from ..search.services import Source
from .labels import CATEGORY_LABELS
from .models import Petition
from .phones import mask_text, strip_text
from .queries import may_use, visible_petitions


def index_petition(petition_id):
    """Index a petition: number and area as title; content, the resident's name and the reply as body."""
    p = Petition.get_by_id(petition_id)
    index_object("petition", petition_id, f"{p.number} {strip_text(p.area)}",
                 [strip_text(p.content), strip_text(p.resident_name), strip_text(p.reply)])


def _visible_ids(user):
    query = visible_petitions(user).select(Petition.id)
    return query if may_use(user) else query.where(Petition.id == 0)


def _load(ids):
    rows = Petition.select(Petition.id, Petition.number, Petition.category, Petition.area, Petition.content,
                           Petition.reply).where(Petition.id.in_(ids))
    return {p.id: {"id": p.number, "title": f"{p.number} {CATEGORY_LABELS[p.category]} · {mask_text(p.area)}",
                   "texts": [mask_text(p.content), mask_text(p.reply)],
                   "url": url_for("petitions.detail", number=p.number)} for p in rows}


def register():
    hooks.search_sources.add("petition", Source(_l("Residents' petition"), _visible_ids, _load))
    hooks.search_indexers.add("petition", (Petition, index_petition))
