"""Items, events and attachments as the API shows them."""

from flask import url_for

from .queries import light_of


def stamp(value):
    """A naive UTC datetime as ISO 8601 with Z, or None."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def day(value):
    return value.isoformat() if value is not None else None


def person(user):
    return {"username": user.username, "display_name": user.display_name} if user is not None else None


def department(dept):
    return {"code": dept.code, "name": dept.name}


def item_summary(item, today):
    """The fields of an item shown in lists (no extra query once people and co-departments are loaded)."""
    return {
        "number": item.number, "title": item.title, "source_type": item.source_type,
        "source_ref": item.source_ref, "level": item.level, "state": item.state, "light": light_of(item, today),
        "progress": item.progress, "score": item.score, "lead_department": department(item.lead_department),
        "co_departments": [department(d) for d in item.co_departments], "leader": person(item.leader),
        "supervisor": person(item.supervisor), "deadline": day(item.deadline),
        "feedback_cycle_days": item.feedback_cycle_days, "next_feedback_due": day(item.next_feedback_due),
        "accept_due": day(item.accept_due), "accepted_late": item.accepted_late,
        "late_feedback_count": item.late_feedback_count, "extension_count": item.extension_count,
        "return_count": item.return_count, "created_at": stamp(item.created_at),
        "dispatched_at": stamp(item.dispatched_at), "closed_at": stamp(item.closed_at),
        "closed_on_time": item.closed_on_time, "version": item.version,
    }


def event(ev):
    return {"id": ev.id, "action": ev.action, "actor": person(ev.actor), "from_state": ev.from_state,
            "to_state": ev.to_state, "comment": ev.comment, "data": ev.data or {}, "created_at": stamp(ev.created_at)}


def attachment(att, number):
    return {"id": att.id, "name": att.original_name, "size": att.size, "content_type": att.content_type,
            "uploaded_by": person(att.uploaded_by), "created_at": stamp(att.created_at),
            "url": url_for("items_api.download_attachment", number=number, attachment_id=att.id)}


def extension(req):
    return {"id": req.id, "status": req.status, "old_deadline": day(req.old_deadline),
            "new_deadline": day(req.new_deadline), "reason": req.reason, "requested_by": person(req.requested_by),
            "requested_at": stamp(req.requested_at), "decided_by": person(req.decided_by),
            "decided_at": stamp(req.decided_at), "decision_comment": req.decision_comment}


def item_detail(detail):
    """The API's ItemDetail from ``detail.item_detail()``: the summary, content, parent, timeline (oldest
    first), children, files, extension requests, actions and following."""
    item, today = detail["item"], detail["today"]
    body = item_summary(item, today)
    body["content"] = item.content
    body["created_by"] = person(item.created_by)
    parent = detail["parent"]
    body["parent"] = {"number": parent.number, "title": parent.title} if parent is not None else None
    body["events"] = [event(ev) for ev in detail["events"]]
    body["children"] = [item_summary(child, today) for child in detail["children"]]
    body["attachments"] = [attachment(att, item.number) for att in detail["attachments"]]
    body["extension_requests"] = [extension(req) for req in detail["extensions"]]
    body["available_actions"] = detail["actions"]
    body["following"] = detail["following"]
    # 批示落实: each instruction beside its acknowledgement (event ids refer to "events").
    body["instructions"] = [{"event": row["event"].id, "due": day(row["due"]), "overdue": row["overdue"],
                             "acknowledgement": row["acknowledgement"].id if row["acknowledgement"] else None,
                             "late": row["late"]} for row in detail["instructions"]]
    return body
