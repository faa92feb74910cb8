"""The workflow engine: actions described in a table, and one ``perform`` that runs any of them.

A feature describes each action of its subjects once, as an ``Action`` row of its table (the states it
starts from, the state it leads to, who may take it, its ``Input``s, its label and notice); pages, forms,
OpenAPI bodies and recipients are derived from that row. ``perform(workflow, user, subject, name, data)``
runs an action for the feature's ``Workflow``: the same checks in the same order for every subject —
the action exists (404), the actor (403), the state (409), ``version`` (422 missing, 409 stale), the
inputs (422) — then, in one write transaction, the feature's step for the action, a versioned UPDATE
(of two concurrent actions one wins, the other gets 409 with nothing written) and the event.
Items (items/actions.py) and petitions (petitions/services.py) are its two workflows.
"""

import contextlib
from dataclasses import dataclass

from flask_babel import gettext as _

from .changes import write_transaction
from .clock import local_today
from .db import utcnow
from .errors import Conflict, Forbidden, NotFound
from .forms import Fields

MAX_COMMENT = 4000


@dataclass(frozen=True)
class Input:
    """One input of an action, as the form shows it and ``perform()`` checks it.

    ``kind``: ``text`` (a comment), ``choice`` (one of ``choices``, a dict of
    value to label), ``integer`` (``low``..``high``), ``date`` (a day, not in
    the past, within the date horizon), ``event`` (the id of one of the item's
    events of action ``of_action`` that no event of this action names yet in
    this input: see ``open_events``), ``department`` (an active department's
    code) or ``file`` (uploads sent with the form;
    the API attaches files separately). ``required``: True, False, or
    ``"on_reject"`` (required when the decision is ``reject``).
    """

    name: str
    kind: str
    label: object
    required: object = True
    choices: object = None
    low: int | None = None
    high: int | None = None
    max_length: int | None = None
    widget: str = ""  # "radio" or "select" where the kind's usual control does not fit
    step: int | None = None
    hint: object = ""  # may use %(deadline)s, the item's current deadline
    prefill: bool = False  # start from the item's attribute of the same name
    of_action: str | None = None  # kind "event": the action whose events are chosen among

    def required_when(self, decision):
        return self.required is True or (self.required == "on_reject" and decision == "reject")


@dataclass(frozen=True)
class Action:
    name: str
    label: object  # the verb on the button and the line in the timeline
    from_states: frozenset
    to_state: object  # a state, None (unchanged) or {decision: state}
    roles: frozenset
    relation: str | None = None  # for handlers: "lead" or "lead_or_co"
    own_leader: bool = False  # for leaders: only the item's own leader (or their delegate)
    inputs: tuple = ()
    notice: object = None  # what the notification of this action says
    notify: object = ()  # recipient groups (the feature's recipients.py), or {decision: groups}
    confirm: object = None  # a question the page asks before sending

    def target(self, item_state, decision=None):
        """The state the item is in after this action (with ``decision`` where it chooses)."""
        if self.to_state is None:
            return item_state
        if isinstance(self.to_state, dict):
            return self.to_state[decision]
        return self.to_state

    def recipient_groups(self, decision=None):
        """The recipient groups of this action (for the decision taken)."""
        if isinstance(self.notify, dict):
            return self.notify.get(decision, ())
        return self.notify

    def input(self, name):
        return next((i for i in self.inputs if i.name == name), None)

    @property
    def field_names(self):
        """The names of the inputs this action's form shows (errors on others go above the form)."""
        return {i.name for i in self.inputs}

    @property
    def takes_files(self):
        return any(i.kind == "file" for i in self.inputs)

    @property
    def event_inputs(self):
        """The inputs that choose one of the item's events still waiting for this action."""
        return [i for i in self.inputs if i.kind == "event"]


class Workflow:
    """What one kind of subject (an item, a petition) tells the engine; the hooks do nothing by default.

    ``model`` and ``event_model`` are peewee models: the subject has ``state`` and ``version``, the
    event names it in the field ``subject_field``. ``steps`` maps each action's name to its step,
    ``step(subject, fields, ctx) -> (changes to the subject, event data)``, which applies the rules
    beyond the table to the checked inputs (in ``ctx`` by name, with ``user``, ``today``, ``now``,
    ``comment``, ``decision`` and ``after_event``: callables run with the event once it exists) and
    may add errors on ``fields``.
    """

    model = event_model = None
    subject_field = ""
    actions = {}
    steps = {}
    forbidden = stale = wrong_state = nothing_waiting = ""  # the refusals, in the subject's words
    fields = Fields  # the reader of the action's input: Fields(data), or a subclass reading more kinds

    def may_act(self, user, subject, action):
        """True when ``user`` may take ``action`` on ``subject`` (403 otherwise)."""
        raise NotImplementedError

    def waiting_for(self, subject, action):
        """False when nothing on ``subject`` waits for ``action`` (409)."""
        return True

    def inputs(self, fields, action, subject):
        """The checked values of the action's inputs."""
        return fields.action(action)

    def comment(self, values):
        """The event's comment from the checked inputs."""
        return values.get("comment") or ""

    def receiving(self, user, subject, files):
        """A context manager entered around the transaction, after the first checks (files, for items)."""
        return contextlib.nullcontext()

    def begin(self, user, subject, ctx):
        """Inside the transaction, before the step (items record the files sent with the action)."""

    def leaving(self, subject, to_state, ctx):
        """Inside the transaction, before the UPDATE, knowing the state the subject goes to."""

    def finish(self, subject, action, event, ctx):
        """Inside the transaction, after the event; what it returns, ``perform`` returns."""
        return event


def checked(workflow, user, subject, action, fields):
    """The checks of the table, in order: the actor (403), the state (409), ``version`` (422 missing,
    409 stale), the inputs (422); return (version, the inputs' values)."""
    if not workflow.may_act(user, subject, action):
        raise Forbidden(str(workflow.forbidden))
    if subject.state not in action.from_states:
        raise Conflict(str(workflow.wrong_state))
    if not workflow.waiting_for(subject, action):
        raise Conflict(str(workflow.nothing_waiting))
    version = fields.version()
    fields.done()
    if version != subject.version:
        raise Conflict(str(workflow.stale))
    values = workflow.inputs(fields, action, subject)
    fields.done()
    return version, values


def perform(workflow, user, subject, action_name, data, files=()):
    """Run ``action_name`` on ``subject`` as ``user`` for ``workflow`` (see the module's docstring).

    The checks run first, before any file sent with the action is received, so a refused action reads
    no upload; they run again on the subject as read inside the transaction.
    """
    action = workflow.actions.get(action_name)
    if action is None:
        raise NotFound(_("There is no action %(name)s.", name=action_name))
    data = data or {}
    checked(workflow, user, subject, action, workflow.fields(data))
    model = workflow.model
    with workflow.receiving(user, subject, files) as received, write_transaction():
        subject = model.get_by_id(subject.id)
        fields = workflow.fields(data)
        version, values = checked(workflow, user, subject, action, fields)
        decision = values.get("decision")
        ctx = {"user": user, "today": local_today(), "now": utcnow(), **values, "decision": decision,
               "comment": workflow.comment(values), "after_event": [], "received": received}
        workflow.begin(user, subject, ctx)
        changes, event_data = workflow.steps[action.name](subject, fields, ctx)
        fields.done()
        to_state = action.target(subject.state, decision)
        workflow.leaving(subject, to_state, ctx)
        changed = (model.update(**changes, state=to_state, version=model.version + 1)
                   .where(model.id == subject.id, model.version == version).execute())
        if changed != 1:
            raise Conflict(str(workflow.stale))
        if decision is not None:
            event_data["decision"] = decision
        event = workflow.event_model.create(**{workflow.subject_field: subject}, actor=user, action=action.name,
                                            from_state=subject.state, to_state=to_state, comment=ctx["comment"],
                                            data=event_data)
        for after in ctx["after_event"]:
            after(event)
        return workflow.finish(subject, action, event, ctx)
