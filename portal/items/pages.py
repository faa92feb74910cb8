"""What the item page shows, gathered in a fixed number of queries."""

import peewee

from ..auth.models import Department, User
from ..calendar import working_days_between
from . import queries, services, visibility, workflow
from .models import FINISHED_STATES, Attachment, ExtensionRequest, ItemCoDepartment, ItemEvent


def co_departments(item):
    """The item's co-departments in display order."""
    return list(Department.select().join(ItemCoDepartment, on=ItemCoDepartment.department == Department.id)
                .where(ItemCoDepartment.item == item.id).order_by(Department.sort_order, Department.name))


def can_edit(user, item):
    """True when ``user`` may open the draft form of ``item``."""
    return user.has_role("supervisor") and item.state in services.EDITABLE_STATES


def events_since(item, seen):
    """The item's events after the event id ``seen`` (what changed while the user looked)."""
    query = ItemEvent.select().where(ItemEvent.item == item.id)
    if seen and str(seen).isdigit():
        query = query.where(ItemEvent.id > int(seen))
    return list(query.order_by(ItemEvent.id))


def item_context(user, item, today):
    """Everything the item page renders for ``user``: facts, light, actions, children, files, timeline."""
    events = list(ItemEvent.select(ItemEvent, User)
                  .join(User, peewee.JOIN.LEFT_OUTER, on=ItemEvent.actor == User.id)
                  .where(ItemEvent.item == item.id).order_by(ItemEvent.id.desc()))
    children = queries.visible_children(user, item)
    attachments = list(Attachment.select(Attachment, User).join(User, on=Attachment.uploaded_by == User.id)
                       .where(Attachment.item == item.id).order_by(Attachment.id))
    extensions = list(ExtensionRequest.select().where(ExtensionRequest.item == item.id)
                      .order_by(ExtensionRequest.id.desc()))
    open_item = item.state not in (*FINISHED_STATES, "draft")
    return {
        "item": item,
        "light": queries.light_of(item, today),
        "days_left": working_days_between(today, item.deadline) if open_item else None,
        "co_departments": co_departments(item),
        "actions": workflow.available_actions(item, user),
        "pending_extension": next((e for e in extensions if e.status == "pending"), None),
        "extensions": extensions,
        "children": children,
        "child_lights": {child.id: queries.light_of(child, today) for child in children},
        "attachments": attachments,
        "events": events,
        "last_event_id": max((e.id for e in events), default=0),
        "can_edit": can_edit(user, item),
        "can_decompose": user.has_role("supervisor") and item.state in services.DECOMPOSABLE_STATES,
        "can_attach": item.state not in FINISHED_STATES and (
            visibility.sees_all(user) or workflow.relation_holds(user, item, "lead_or_co")),
        "can_follow": visibility.sees_all(user),
        "following": services.is_following(user, item),
    }


def item_form_values(item):
    """The draft form's values for an existing item."""
    return {
        "title": item.title, "content": item.content, "source_type": item.source_type,
        "source_ref": item.source_ref, "level": item.level, "deadline": item.deadline.isoformat(),
        "feedback_cycle_days": str(item.feedback_cycle_days),
        "lead_department": item.lead_department.code,
        "co_departments": [d.code for d in co_departments(item)],
        "leader": item.leader.username if item.leader else "",
        "supervisor": item.supervisor.username if item.supervisor else "",
    }
