"""What the petition page and the API show of one petition to one user."""

from ..items.models import Item
from ..items.visibility import can_see as can_see_item
from .models import Petition
from .queries import events_of, repeats_of
from .workflow import available_actions


def petition_detail(user, petition, today):
    """``petition`` read afresh with its department, linked item (and its state), the petition it was
    merged into, its repeats, its timeline and the actions ``user`` may take."""
    petition = Petition.get_by_id(petition.id)
    item = Item.get_or_none(Item.id == petition.item_id) if petition.item_id else None
    merged_into = Petition.get_or_none(Petition.id == petition.merged_into_id) if petition.merged_into_id else None
    events = events_of(petition)
    return {
        "petition": petition, "today": today, "item": item, "merged_into": merged_into,
        "item_visible": item is not None and can_see_item(user, item),
        "merged": list(Petition.select(Petition.number).where(Petition.merged_into == petition.id)),
        "repeats": repeats_of(user, petition), "events": events,
        "last_event_id": events[-1].id if events else 0,
        "actions": available_actions(petition, user),
        "overdue": petition.state in ("new", "assigned") and petition.reply_due < today,
    }
