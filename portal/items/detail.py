"""What the item page and the API show of one item to one user, gathered in a fixed number of queries."""

import peewee

from ..auth.models import User
from ..calendar import working_days_between
from .followthrough import of_item as instructions_of
from .models import FINISHED_STATES, Attachment, ExtensionRequest, Item, ItemEvent
from .queries import attach_co_departments, light_of, visible_children, with_people
from .services import DECOMPOSABLE_STATES, EDITABLE_STATES, is_following
from .visibility import can_see, sees_all
from .workflow import available_actions, input_choices, relation_holds


def item_detail(user, item, today):
    """``item`` as ``user`` sees it now: read afresh with its people and co-departments, its light,
    working days left, the actions ``user`` may take, children ``user`` may see, files, extension
    requests and events (both oldest first), and what ``user`` may do besides the actions."""
    item = attach_co_departments([with_people(Item.select(Item).where(Item.id == item.id)).get()])[0]
    events = list(ItemEvent.select(ItemEvent, User)
                  .join(User, peewee.JOIN.LEFT_OUTER, on=ItemEvent.actor == User.id)
                  .where(ItemEvent.item == item.id).order_by(ItemEvent.id))
    children = visible_children(user, item)
    attachments = list(Attachment.select(Attachment, User).join(User, on=Attachment.uploaded_by == User.id)
                       .where(Attachment.item == item.id).order_by(Attachment.id))
    extensions = list(ExtensionRequest.select().where(ExtensionRequest.item == item.id)
                      .order_by(ExtensionRequest.id))
    running = item.state not in (*FINISHED_STATES, "draft")
    parent = Item.get_by_id(item.parent_id) if item.parent_id is not None else None
    actions = available_actions(item, user)
    return {
        "item": item,
        "today": today,
        # A child's readers learn what it is part of once the parent went out, unless it came back to the
        # office (returned, or cancelled before it went out): then only those who may see it.
        "parent": parent if parent is not None and (can_see(user, parent) or (
            parent.dispatched_at is not None and parent.state != "returned")) else None,
        "light": light_of(item, today),
        "days_left": working_days_between(today, item.deadline) if running else None,
        "co_departments": item.co_departments,
        "actions": actions,
        "input_choices": input_choices(item, actions),
        "instructions": instructions_of(item, events, today),
        "pending_extension": next((e for e in extensions if e.status == "pending"), None),
        "extensions": extensions,
        "children": children,
        "child_lights": {child.id: light_of(child, today) for child in children},
        "attachments": attachments,
        "closure": closure_request(item, events, attachments),
        "events": events,
        "last_event_id": events[-1].id if events else 0,
        "following": is_following(user, item),
        "can_edit": can_edit(user, item),
        "can_decompose": user.has_role("supervisor") and item.state in DECOMPOSABLE_STATES,
        "can_attach": item.state not in FINISHED_STATES and (
            sees_all(user) or relation_holds(user, item, "lead_or_co")),
        "can_follow": sees_all(user),
    }


CLOSING_STATES = ("closure_requested", "pending_approval")


def closure_request(item, events, attachments):
    """While ``item`` awaits review or approval of its closure: the request's event, its summary and its
    evidence (the attachments it names; for a request recorded before it named them, those the item
    had then); None otherwise."""
    if item.state not in CLOSING_STATES:
        return None
    request = next((e for e in reversed(events) if e.action == "request_closure"), None)
    if request is None:
        return None
    named = (request.data or {}).get("evidence")
    if named is None:
        evidence = [a for a in attachments if a.event_id is None or a.event_id < request.id]
    else:
        evidence = [a for a in attachments if a.id in set(named)]
    return {"event": request, "summary": request.comment, "evidence": evidence}


def can_edit(user, item):
    """True when ``user`` may open the draft form of ``item``."""
    return user.has_role("supervisor") and item.state in EDITABLE_STATES
