"""Petitions as the API shows them to one user: the phone, and phone numbers in any text, masked for handlers."""

from ..items.serialize import day, department, person, stamp
from .queries import shown_phone, shown_text


def petition_summary(petition, user, today):
    """The fields of a petition in lists."""
    return {
        "number": petition.number, "channel": petition.channel, "category": petition.category,
        "area": shown_text(user, petition.area), "content": shown_text(user, petition.content),
        "resident_name": shown_text(user, petition.resident_name), "resident_phone": shown_phone(user, petition),
        "received_at": stamp(petition.received_at), "reply_due": day(petition.reply_due),
        "overdue": petition.state in ("new", "assigned") and petition.reply_due < today,
        "state": petition.state, "department": department(petition.department) if petition.department_id else None,
        "repeat": petition.repeat, "item": petition.item.number if petition.item_id else None,
        "satisfaction": petition.satisfaction, "version": petition.version,
    }


def event(ev, user):
    return {"id": ev.id, "action": ev.action, "actor": person(ev.actor), "from_state": ev.from_state,
            "to_state": ev.to_state, "comment": shown_text(user, ev.comment), "data": ev.data or {},
            "created_at": stamp(ev.created_at)}


def petition_detail(detail, user):
    """The API's petition: the summary, reply, links (item with its state, merged into), timeline, actions."""
    petition, today = detail["petition"], detail["today"]
    body = petition_summary(petition, user, today)
    item = detail["item"]
    body.update({
        "reply": shown_text(user, petition.reply), "replied_at": stamp(petition.replied_at),
        "replied_late": petition.replied_late, "closed_at": stamp(petition.closed_at),
        "merged_into": detail["merged_into"].number if detail["merged_into"] else None,
        "item_state": item.state if item else None,
        "item_closed_at": stamp(item.closed_at) if item else None,
        "repeats": [p.number for p in detail["repeats"]],
        "created_by": person(petition.created_by),
        "events": [event(ev, user) for ev in detail["events"]],
        "available_actions": detail["actions"],
    })
    return body
