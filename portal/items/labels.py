"""What users read for the item's identifiers: states, actions, sources, levels, reasons, lights."""

from flask_babel import lazy_gettext as _l

from .workflow import ACTIONS, DECISION_LABELS, RETURN_REASON_LABELS, TABLE

STATE_LABELS = {
    "draft": _l("Draft"),
    "dispatched": _l("Dispatched"),
    "in_progress": _l("In progress"),
    "returned": _l("Returned"),
    "closure_requested": _l("Closure requested"),
    "pending_approval": _l("Pending approval"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}

# The verb on the button and the line in the timeline: the actions' own (workflow.TABLE), and the
# events that are not actions.
ACTION_LABELS = {
    **{action.name: action.label for action in TABLE},
    "create": _l("Register"),
    "update": _l("Edit"),
    "add_child": _l("Decompose"),
    "attach": _l("Attach file"),
    "follow": _l("Follow"),
    "unfollow": _l("Unfollow"),
}

SOURCE_LABELS = {
    "meeting": _l("Meeting decision"),
    "instruction": _l("Leader instruction"),
    "document": _l("Higher-level document"),
    "key_task": _l("Annual key task"),
    "petition": _l("Public petition"),
    "inspection": _l("Inspection finding"),
    "other": _l("Other"),
}

LEVEL_LABELS = {
    "major": _l("Major"),
    "important": _l("Important"),
    "normal": _l("Normal"),
}

LIGHT_LABELS = {
    "red": _l("Red: overdue"),
    "yellow": _l("Yellow: due soon"),
    "green": _l("Green: on track"),
    "on_time": _l("Closed on time"),
    "late": _l("Closed late"),
    "none": _l("No light"),
}

# One word per light for compact places (filters, table cells).
LIGHT_SHORT = {
    "red": _l("Red"),
    "yellow": _l("Yellow"),
    "green": _l("Green"),
    "on_time": _l("On time"),
    "late": _l("Late"),
    "none": _l("None"),
}

# The item's fields as the form names them (the timeline says which an edit changed).
FIELD_LABELS = {
    "title": _l("Title"),
    "content": _l("Requirements"),
    "source_type": _l("Source"),
    "source_ref": _l("Source reference"),
    "level": _l("Level"),
    "lead_department": _l("Lead department"),
    "co_departments": _l("Co-departments"),
    "leader": _l("Supervising leader"),
    "supervisor": _l("Responsible supervisor"),
    "deadline": _l("Deadline"),
    "feedback_cycle_days": _l("Progress reports"),
}

FEEDBACK_CYCLE_LABELS = {
    0: _l("Not periodic"),
    7: _l("Weekly"),
    14: _l("Every two weeks"),
    30: _l("Monthly"),
}

EXTENSION_STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


def template_globals():
    """The label dictionaries (and the action descriptions) under the names templates use."""
    return {
        "state_labels": STATE_LABELS,
        "action_labels": ACTION_LABELS,
        "source_labels": SOURCE_LABELS,
        "level_labels": LEVEL_LABELS,
        "return_reason_labels": RETURN_REASON_LABELS,
        "light_labels": LIGHT_LABELS,
        "light_short": LIGHT_SHORT,
        "decision_labels": DECISION_LABELS,
        "extension_status_labels": EXTENSION_STATUS_LABELS,
        "field_labels": FIELD_LABELS,
        "feedback_cycle_labels": FEEDBACK_CYCLE_LABELS,
        "workflow_actions": ACTIONS,
    }
