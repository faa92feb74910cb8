"""Performing an action of docs/items.md through the kernel's workflow engine: the steps beyond the table, and one
transaction for the item, its files, its event and its notices."""

import contextlib
import datetime

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from ..auth.forms import Fields
from ..calendar import add_working_days
from ..kernel import files as store, hooks, workflow
from ..kernel.errors import Conflict
from .attachments import extract_later, prepare_upload, record_upload
from .models import FINISHED_STATES, Attachment, ExtensionRequest, Item, ItemEvent
from .search import index_item
from .workflow import (ACTIONS, answered_events, is_own_leader, may_act, open_events, parent_deadline, past_limit,
                       pending_extension, waiting_for)


def _settings(section):
    return current_app.config["PORTAL"][section]


def _open_children(item):
    return Item.select().where(Item.parent == item.id, Item.state.not_in(FINISHED_STATES)).exists()


def _refuse_open_children(item):
    if _open_children(item):
        raise Conflict(_("Every child item must be closed or cancelled first."))


def _feedback_due(item, today):
    return today + datetime.timedelta(days=item.feedback_cycle_days) if item.feedback_cycle_days else None


# Each step applies the rules beyond the table to the checked inputs (in ``ctx``, by name) and
# returns (changes to the item, event data); ``f`` takes errors on fields.

def _dispatch(item, f, ctx):
    days = _settings("workflow")["accept_within_working_days"]
    return {"dispatched_at": ctx["now"], "accept_due": add_working_days(ctx["today"], days),
            "accepted_at": None, "accepted_late": False}, {}


def _accept(item, f, ctx):
    late = item.accept_due is not None and ctx["today"] > item.accept_due
    return {"accepted_at": ctx["now"], "accepted_late": late,
            "next_feedback_due": _feedback_due(item, ctx["today"])}, {"late": late}


def _return(item, f, ctx):
    return {"return_count": item.return_count + 1}, {"reason": ctx["reason"]}


def _report(item, f, ctx):
    progress = ctx["progress"]
    late = item.next_feedback_due is not None and ctx["today"] > item.next_feedback_due
    changes = {"progress": progress, "last_feedback_at": ctx["now"],
               "next_feedback_due": _feedback_due(item, ctx["today"])}
    if late:
        changes["late_feedback_count"] = item.late_feedback_count + 1
    return changes, {"progress": progress, "late": late}


def _urge(item, f, ctx):
    gap = datetime.timedelta(hours=_settings("reminders")["min_urge_gap_hours"])
    if item.last_urged_at is not None and ctx["now"] - item.last_urged_at < gap:
        raise Conflict(_("This item was urged less than %(hours)s hours ago.", hours=int(gap.total_seconds() // 3600)))
    return {"last_urged_at": ctx["now"]}, {}


def _instruct(item, f, ctx):
    from . import followthrough

    ctx["after_event"].append(lambda event: followthrough.opened(event, ctx["today"]))
    return {}, {"acknowledge_due": followthrough.acknowledge_due(ctx["today"]).isoformat()}


def _acknowledge(item, f, ctx):
    from . import followthrough

    instruction = ItemEvent.get_by_id(ctx["instruction"])
    due = followthrough.Instruction.select(followthrough.Instruction.due).where(
        followthrough.Instruction.event == instruction.id).scalar()
    late = due is not None and ctx["today"] > due

    def close(event):
        if not followthrough.answered(instruction.id, event, ctx["today"]):
            raise Conflict(_("This instruction was acknowledged in the meantime. Reload the item."))
    ctx["after_event"].append(close)
    return {}, {"instruction": instruction.id, "late": late}


def _request_extension(item, f, ctx):
    new_deadline = ctx["new_deadline"]
    if new_deadline <= item.deadline:
        f.error("new_deadline", _("The new deadline must be later than the current one (%(date)s).",
                                  date=item.deadline))
    limit = parent_deadline(item)
    if past_limit(new_deadline, limit):
        f.error("new_deadline", _("The new deadline must not be after the parent item's deadline (%(date)s).",
                                  date=limit))
    f.done()
    if ctx["today"] > item.deadline:
        raise Conflict(_("An extension must be requested before the deadline passes."))
    if pending_extension(item) is not None:
        raise Conflict(_("An extension request is already waiting for a decision."))
    request = ExtensionRequest.create(item=item, requested_by=ctx["user"], old_deadline=item.deadline,
                                      new_deadline=new_deadline, reason=ctx["comment"])
    return {}, {"request": request.id, "old_deadline": item.deadline.isoformat(),
                "new_deadline": new_deadline.isoformat()}


def _decide_extension(item, f, ctx):
    request = pending_extension(item)
    if request is None:
        raise Conflict(_("There is no extension request waiting for a decision."))
    approved = ctx["decision"] == "approve"
    limit = parent_deadline(item)
    if approved and past_limit(request.new_deadline, limit):
        f.error("new_deadline", _("The requested deadline %(new)s is after the parent item's deadline (%(date)s): "
                                  "reject the request, or extend the parent first.",
                                  new=request.new_deadline, date=limit))
        f.done()
    ExtensionRequest.update(status="approved" if approved else "rejected", decided_by=ctx["user"],
                            decided_at=ctx["now"], decision_comment=ctx["comment"]).where(
        ExtensionRequest.id == request.id).execute()
    data = {"request": request.id, "old_deadline": request.old_deadline.isoformat(),
            "new_deadline": request.new_deadline.isoformat()}
    if not approved:
        return {}, data
    return {"deadline": request.new_deadline, "extension_count": item.extension_count + 1}, data


def _request_closure(item, f, ctx):
    evidence = [row.id for row in Attachment.select(Attachment.id).where(Attachment.item == item.id)
                .order_by(Attachment.id)]
    if _settings("workflow")["closure_requires_attachment"] and not evidence:
        f.error("attachment", _("Attach at least one piece of evidence (佐证材料) before requesting closure."))
    f.done()
    _refuse_open_children(item)
    # The evidence the reviewer and the leader see beside their forms: the files sent with the request,
    # or (none sent) the files the item had when it was asked for.
    sent = [attachment.id for attachment in ctx["attachments"]]
    return {}, {"evidence": sent or evidence}


def _review(item, f, ctx):
    if ctx["decision"] == "approve":
        _refuse_open_children(item)
    return {}, {}


def _approve(item, f, ctx):
    if ctx["decision"] != "approve":
        return {}, {}
    _refuse_open_children(item)
    on_time = ctx["today"] <= item.deadline
    return {"closed_at": ctx["now"], "closed_on_time": on_time, "progress": 100}, {"on_time": on_time}


def _rate(item, f, ctx):
    """Every rater's score stays in the timeline; the leader's stands as the item's (docs/items.md)."""
    by_leader = ctx["user"].has_role("leader") and is_own_leader(ctx["user"], item)
    data = {"score": ctx["score"], "rater_role": "leader" if by_leader else "supervisor"}
    if by_leader or not _rated_by_leader_since_closing(item):
        return {"score": ctx["score"]}, data
    return {}, data


def _rated_by_leader_since_closing(item):
    """True when a leader rated ``item`` since it was last closed."""
    events = (ItemEvent.select(ItemEvent.action, ItemEvent.data).where(
        ItemEvent.item == item.id, ItemEvent.action.in_(("approve", "rate"))).order_by(ItemEvent.id.desc()))
    for event in events:
        if event.action == "approve":
            return False
        if event.data.get("rater_role") == "leader":
            return True
    return False


def _cancel(item, f, ctx):
    return {}, {}


def _reopen(item, f, ctx):
    if item.parent_id is not None and Item.get_by_id(item.parent_id).state in FINISHED_STATES:
        raise Conflict(_("The parent item is closed or cancelled; reopen it first."))
    return {"closed_at": None, "closed_on_time": None, "score": None,
            "next_feedback_due": _feedback_due(item, ctx["today"])}, {}


STEPS = {
    "dispatch": _dispatch, "accept": _accept, "return": _return, "report": _report, "urge": _urge,
    "instruct": _instruct, "request_extension": _request_extension, "decide_extension": _decide_extension,
    "request_closure": _request_closure, "review": _review, "approve": _approve, "rate": _rate,
    "acknowledge": _acknowledge, "cancel": _cancel, "reopen": _reopen,
}


class ItemWorkflow(workflow.Workflow):
    """The items' actions for the kernel's engine: the table's rules, files sent with an action, the
    timeline's event, the search index and the notices (hooks.item_actions: notify writes the outbox)."""

    model, event_model, subject_field = Item, ItemEvent, "item"
    actions, steps = ACTIONS, STEPS
    forbidden = _l("You may not do this on this item.")
    wrong_state = _l("This action is not possible while the item is in its current state.")
    nothing_waiting = _l("Nothing on this item is waiting for this action.")
    stale = _l("Someone else changed this item in the meantime. Reload it and try again.")
    fields, may_act, waiting_for = Fields, staticmethod(may_act), staticmethod(waiting_for)

    def inputs(self, fields, action, item):
        def events(spec):
            return {e.id for e in open_events(item, action, spec)}, answered_events(item, action, spec)
        return fields.action(action, events)

    @contextlib.contextmanager
    def receiving(self, user, item, sent):
        """Files sent with the action, checked and written aside before the transaction; they reach the
        store only once it has committed (store.kept_on_commit): nothing of a refused action stays."""
        uploads = []
        try:
            for upload in sent:
                uploads.append(prepare_upload(user, item, upload))
        except BaseException:
            store.discard(uploads)
            raise
        with store.kept_on_commit(uploads):
            yield uploads
        extract_later(uploads)  # committed and stored: their text for the search

    def begin(self, user, item, ctx):
        # before the step: they count as evidence for request_closure
        ctx["attachments"] = [record_upload(user, item, upload) for upload in ctx["received"]]

    def leaving(self, item, to_state, ctx):
        if item.state == "in_progress" and to_state != "in_progress":
            # A request waiting for a decision goes with the work it was for (closure asked, or cancelled).
            ExtensionRequest.update(status="withdrawn", decided_at=ctx["now"]).where(
                ExtensionRequest.item == item.id, ExtensionRequest.status == "pending").execute()

    def finish(self, item, action, event, ctx):
        if ctx["comment"]:
            index_item(item.id)  # the comment becomes searchable in the same transaction
        hooks.item_actions.call(item, action, event, ctx["decision"])
        return event


WORKFLOW = ItemWorkflow()


def perform(user, item, action_name, data, files=()):
    """Run ``action_name`` on ``item`` as ``user`` in one transaction; return its ItemEvent.

    ``files`` are attached in the same transaction, before the action's own rules: they count as
    evidence for request_closure.
    """
    return workflow.perform(WORKFLOW, user, item, action_name, data, files)
