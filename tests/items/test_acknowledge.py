"""批示落实: a leader's instruction is acknowledged by the lead or a co-department, through the page and
the API; one not acknowledged in time is flagged on the item and the boards and reminds (working days)."""

import datetime
import re

import pytest

from portal.auth.models import User
from portal.calendar.services import set_day
from portal.items.followthrough import Instruction, acknowledge_due
from portal.items.models import Item, ItemEvent
from portal.items.workflow import available_actions
from portal.kernel.db import database
from portal.kernel.errors import Conflict, Invalid
from portal.notify import reminders
from portal.notify.models import Outbox
from tests.conftest import csrf_token

from .conftest import People, act, register
from .test_concurrency import race


def instructed(people, *comments):
    item = register(people.supervisor)
    item = act(people.supervisor, item, "dispatch")
    item = act(people.handler, item, "accept")
    for comment in comments or ("请本周内拿出方案",):
        item = act(people.leader, item, "instruct", comment=comment)
    ids = [e.id for e in ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "instruct")
           .order_by(ItemEvent.id)]
    return item, ids


def test_each_instruction_is_acknowledged_once_by_the_departments(people):
    item, (first, second) = instructed(people, "先拿方案", "再报进度")
    assert "acknowledge" in available_actions(item, people.handler)
    assert "acknowledge" in available_actions(item, people.catering)  # co-department
    assert "acknowledge" not in available_actions(item, people.culture)
    assert "acknowledge" not in available_actions(item, people.supervisor)

    dispatch = ItemEvent.get(ItemEvent.item == item.id, ItemEvent.action == "dispatch").id
    for bad, field in (({"instruction": dispatch, "comment": "x"}, "instruction"),   # not an instruction
                       ({"instruction": "abc", "comment": "x"}, "instruction"),
                       ({"instruction": first}, "comment"), ({"comment": "x"}, "instruction")):
        with pytest.raises(Invalid) as refused:
            act(people.handler, item, "acknowledge", **bad)
        assert field in refused.value.fields

    Outbox.delete().execute()
    item = act(people.catering, item, "acknowledge", instruction=first, comment="周五前提交方案")
    assert list(Outbox.select()) == []  # pure information: the feed shows it (docs/notifications.md)
    assert Instruction.get(Instruction.event == first).acknowledged_at is not None
    with pytest.raises(Conflict):  # answered already (by someone else, in the meantime): 409
        act(people.handler, item, "acknowledge", instruction=first, comment="again")
    item = act(people.handler, item, "acknowledge", instruction=second, comment="每周报进度")
    assert "acknowledge" not in available_actions(item, people.handler)
    with pytest.raises(Conflict):  # nothing waits any more
        act(people.handler, item, "acknowledge", instruction=second, comment="again")


def test_acknowledgement_is_due_in_working_days_across_a_holiday(people):
    """Instructed on the Thursday before a holiday (Friday to Wednesday): due Thursday, reminded Friday."""
    thursday = datetime.date(2027, 4, 29)
    for day in (30,):
        set_day(datetime.date(2027, 4, day), False, "劳动节")
    for day in (3, 4, 5):
        set_day(datetime.date(2027, 5, day), False, "劳动节")
    due = acknowledge_due(thursday)
    assert due == datetime.date(2027, 5, 6)
    item, (instruction,) = instructed(people)
    Instruction.update(due=due).where(Instruction.event == instruction).execute()
    assert reminders.scan(datetime.date(2027, 5, 6))["reminder_acknowledge"] == 0
    assert reminders.scan(datetime.date(2027, 5, 7))["reminder_acknowledge"] == 1
    assert [(r.kind, r.recipient.username) for r in Outbox.select().where(Outbox.kind == "reminder_acknowledge")] \
        == [("reminder_acknowledge", "handler")]
    assert reminders.scan(datetime.date(2027, 5, 7))["reminder_acknowledge"] == 0  # once a day
    act(people.handler, item, "acknowledge", instruction=instruction, comment="已部署")
    assert reminders.scan(datetime.date(2027, 5, 10))["reminder_acknowledge"] == 0
    assert Instruction.get(Instruction.event == instruction).acknowledged_late is False  # today < 2027


def test_the_item_page_shows_instructions_beside_acknowledgements_and_flags_late_ones(app, demo, sign_in, tmp_path):
    with app.test_request_context(), database.connection_context():
        item, (instruction,) = instructed(People(), "请尽快落实供暖方案")
        yesterday = datetime.date.today() - datetime.timedelta(days=3)
        Instruction.update(due=yesterday).where(Instruction.event == instruction).execute()

    client = sign_in("supervisor")
    page = client.get(f"/items/{item.number}").get_data(as_text=True)
    assert "instruction-overdue" in page and "请尽快落实供暖方案" in page
    board = client.get("/").get_data(as_text=True)
    assert 'id="panel-unacknowledged"' in board and item.title in board.split('id="panel-unacknowledged"')[1]

    handler = sign_in("handler")
    page = handler.get(f"/items/{item.number}").get_data(as_text=True)
    assert 'id="form-acknowledge"' in page
    option = re.search(r'<option value="(\d+)" selected>', page.split('id="form-acknowledge"')[1])
    assert option and int(option.group(1)) == instruction
    with app.app_context(), database.connection_context():
        version = Item.select(Item.version).where(Item.id == item.id).scalar()
    token = csrf_token(handler, f"/items/{item.number}")
    missing = handler.post(f"/items/{item.number}/actions/acknowledge",
                           data={"csrf_token": token, "version": version, "instruction": instruction})
    assert missing.status_code == 422 and "field-error" in missing.get_data(as_text=True)
    done = handler.post(f"/items/{item.number}/actions/acknowledge",
                        data={"csrf_token": token, "version": version, "instruction": instruction,
                              "comment": "本周五前报送方案"})
    assert done.status_code == 303
    page = handler.get(f"/items/{item.number}").get_data(as_text=True)
    row = page.split(f'id="instruction-{instruction}"')[1].split("</tr>")[0]
    assert "请尽快落实供暖方案" in row and "本周五前报送方案" in row
    assert "instruction-overdue" not in page and 'id="form-acknowledge"' not in page


def test_the_api_acknowledges_with_the_event_id(app, demo, sign_in):
    with app.test_request_context(), database.connection_context():
        item, (instruction,) = instructed(People())
    api = sign_in("handler")
    body = api.get(f"/api/v1/items/{item.number}").get_json()
    assert "acknowledge" in body["available_actions"]
    bad = api.post(f"/api/v1/items/{item.number}/actions/acknowledge",
                   json={"version": body["version"], "instruction": 10**12, "comment": "x"})
    assert bad.status_code == 422 and "instruction" in bad.get_json()["error"]["fields"]
    assert [(i["event"], i["acknowledgement"], i["overdue"]) for i in body["instructions"]] == [
        (instruction, None, False)]
    ok = api.post(f"/api/v1/items/{item.number}/actions/acknowledge",
                  json={"version": body["version"], "instruction": instruction, "comment": "马上办"})
    assert ok.status_code == 200 and ok.get_json()["event"]["data"]["instruction"] == instruction
    answered = ok.get_json()["item"]["instructions"]
    assert answered == [{"event": instruction, "due": answered[0]["due"], "overdue": False,
                         "acknowledgement": ok.get_json()["event"]["id"], "late": False}]
    again = api.post(f"/api/v1/items/{item.number}/actions/acknowledge",
                     json={"version": ok.get_json()["item"]["version"], "instruction": instruction, "comment": "x"})
    assert again.status_code == 409
    outsider = sign_in("culture")
    assert outsider.post(f"/api/v1/items/{item.number}/actions/acknowledge",
                         json={"version": 1, "instruction": instruction, "comment": "x"}).status_code == 404


def test_an_instruction_acknowledged_twice_at_once_is_answered_once(app, people):
    item = act(people.supervisor, register(people.supervisor), "dispatch")
    item = act(people.handler, item, "accept")
    item = act(people.leader, item, "instruct", comment="马上落实")
    instruction = ItemEvent.get(ItemEvent.item == item.id, ItemEvent.action == "instruct").id
    version = item.version

    def acknowledge(i):
        from portal.items import actions
        from portal.items.models import Item

        who = User.get(User.username == ("handler", "catering")[i])
        return actions.perform(who, Item.get_by_id(item.id), "acknowledge",
                               {"instruction": instruction, "comment": f"落实{i}", "version": version})

    results = race(app, 2, acknowledge)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ItemEvent"]
    assert ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "acknowledge").count() == 1
    assert Instruction.get(Instruction.event == instruction).acknowledged_at is not None
    assert isinstance(next(r for r in results if not isinstance(r, ItemEvent)), Conflict)
