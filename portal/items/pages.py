"""Helpers of the item pages: co-departments for print, what changed since, the draft form's values."""


from ..auth.models import Department
from .models import ItemCoDepartment, ItemEvent


def co_departments(item):
    """The item's co-departments in display order."""
    return list(Department.select().join(ItemCoDepartment, on=ItemCoDepartment.department == Department.id)
                .where(ItemCoDepartment.item == item.id).order_by(Department.sort_order, Department.name))


def events_since(item, seen):
    """The item's events after the event id ``seen`` (what changed while the user looked)."""
    query = ItemEvent.select().where(ItemEvent.item == item.id)
    if seen and str(seen).isdigit():
        query = query.where(ItemEvent.id > int(seen))
    return list(query.order_by(ItemEvent.id))


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
