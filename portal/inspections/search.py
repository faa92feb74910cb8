"""What the field inspections give the search: their findings' words, who may see them, a page of results."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..kernel import hooks
from ..search.index import index_object
from ..search.services import Source
from .models import Finding, Inspection


def index_finding(finding_id):
    """Index a finding: its inspection's subject as title, its text as body."""
    finding = Finding.select(Finding, Inspection).join(Inspection).where(Finding.id == finding_id).get()
    index_object("finding", finding_id, finding.inspection.subject, [finding.text])


def _load(ids):
    rows = (Finding.select(Finding.id, Finding.text, Inspection.id, Inspection.subject, Inspection.date)
            .join(Inspection).where(Finding.id.in_(ids)))
    return {f.id: {"id": f.id, "title": f"{f.inspection.date.isoformat()} {f.inspection.subject}",
                   "texts": [f.text],
                   "url": url_for("inspections.detail", inspection_id=f.inspection.id, _anchor=f"finding-{f.id}")}
            for f in rows}


def register(visible_ids):
    """Make the findings searchable, each by who may see it (``visible_ids(user)``: services.visible_finding_ids)."""
    hooks.search_sources.add("finding", Source(_l("Inspection finding"), visible_ids, _load))
    hooks.search_indexers.add("finding", (Finding, index_finding))
