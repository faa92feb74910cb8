"""What users read for a petition's identifiers: channels, categories, states, satisfaction, actions."""

from flask_babel import lazy_gettext as _l

from . import phones
from .models import CATEGORIES, CHANNELS, STATES
from .workflow import ACTIONS, SATISFACTION_LABELS, TABLE

CHANNEL_LABELS = {
    "hotline": _l("Hotline"),
    "visit": _l("Visit"),
    "letter": _l("Letter"),
    "online": _l("Online"),
    "inspection": _l("Found in an inspection"),
}
CATEGORY_LABELS = {
    "property": _l("Property"),
    "heating": _l("Heating"),
    "gas": _l("Gas"),
    "water_power": _l("Water and power"),
    "commute": _l("Commuting"),
    "canteen": _l("Canteen"),
    "kindergarten": _l("Kindergarten"),
    "retiree": _l("Retirees"),
    "culture": _l("Culture and sports"),
    "housing": _l("Housing"),
    "other": _l("Other"),
}
PETITION_STATE_LABELS = {
    "new": _l("Newly registered"),
    "assigned": _l("Assigned"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "merged": _l("Merged"),
}
assert tuple(CHANNEL_LABELS) == CHANNELS and tuple(CATEGORY_LABELS) == CATEGORIES
assert tuple(PETITION_STATE_LABELS) == STATES


def action_labels():
    """The verb of each petition action (its table's) and of the events that are not actions."""
    return {**{a.name: a.label for a in TABLE}, "register": _l("Petition registered"), "merged_in": _l("Merged in")}


def template_globals():
    """The label dictionaries and the action table under the names templates use."""
    return {
        "channel_labels": CHANNEL_LABELS, "category_labels": CATEGORY_LABELS,
        "petition_state_labels": PETITION_STATE_LABELS, "satisfaction_labels": SATISFACTION_LABELS,
        "petition_action_labels": action_labels(), "petition_actions": ACTIONS,
    }

REPLY_OVERDUE = _l("Petition reply overdue")


def notice_title(petition):
    """The title of a notice about ``petition`` (handlers receive it: the area's phone numbers masked)."""
    return f"{petition.number} {CATEGORY_LABELS[petition.category]} · {phones.mask_text(petition.area)}"[:200]
