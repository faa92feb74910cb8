"""In Chromium: a heating complaint registered, assigned, answered and closed through the pages (the handler
sees the phone masked); a leader's instruction acknowledged on the item page and seen in the feed."""

import datetime

from playwright.sync_api import expect

from portal.auth.models import User
from portal.items import actions, services
from portal.items.models import Item
from portal.kernel.db import database


def act(page, action, name, fill):
    """Unfold the action ``name`` (its summary and its button both say it), let ``fill`` fill its form
    ``#form-<action>``, send it and wait for the answer."""
    page.locator("summary", has_text=name).click()
    form = page.locator(f"#form-{action}")
    fill(form)
    with page.expect_response(lambda r: r.url.endswith(f"/actions/{action}")):
        form.get_by_role("button", name=name).click()


def test_a_heating_complaint_from_registration_to_closure(open_as, live_server):
    url = live_server.url
    supervisor = open_as("supervisor")
    supervisor.goto(f"{url}/petitions/new")
    supervisor.get_by_label("分类").select_option("heating")
    supervisor.get_by_label("区域（小区/街区）").fill("东风小区")
    supervisor.get_by_label("联系电话").fill("138 1234 5678")
    supervisor.get_by_label("诉求内容").fill("3号楼暖气不热")
    supervisor.get_by_role("button", name="登记").click()
    supervisor.wait_for_url(f"{url}/petitions/SQ-*")
    number = supervisor.url.rsplit("/", 1)[1]
    expect(supervisor.locator(".phone")).to_have_text("13812345678")

    act(supervisor, "assign", "转办", lambda form: form.get_by_label("部门").select_option("property"))
    expect(supervisor.locator("#petition .item-head")).to_contain_text("已转办")

    handler = open_as("handler")
    handler.goto(f"{url}/petitions/{number}")
    expect(handler.locator(".phone")).to_have_text("138****5678")
    act(handler, "answer", "答复", lambda form: form.get_by_label("给群众的答复").fill("已派人维修，今日恢复"))
    expect(handler.locator("#petition .item-head")).to_contain_text("已答复")
    assert "13812345678" not in handler.content()

    supervisor.reload()
    act(supervisor, "close", "办结", lambda form: form.get_by_label("满意", exact=True).check())
    expect(supervisor.locator("#petition .item-head")).to_contain_text("已办结")

    leader = open_as("leader")
    expect(leader.locator("#panel-hot_issues")).to_contain_text("供暖")
    leader.goto(f"{url}/petitions/hot")
    expect(leader.locator("svg.bars").first).to_be_visible()


def test_an_instruction_is_acknowledged_and_both_show_in_the_feed(open_as, live_server):
    url = live_server.url
    with live_server.app.test_request_context(), database.connection_context():
        people = {u.username: u for u in User.select()}
        item = services.create_item(people["supervisor"], {
            "title": "供暖接入市网", "source_type": "meeting", "lead_department": "property", "leader": "leader",
            "deadline": (datetime.date.today() + datetime.timedelta(days=20)).isoformat()})
        for actor, action, data in (("supervisor", "dispatch", {}), ("handler", "accept", {}),
                                    ("leader", "instruct", {"comment": "本周拿出方案"})):
            item = Item.get_by_id(item.id)
            actions.perform(people[actor], item, action, {"version": item.version, **data})
    supervisor = open_as("supervisor")
    expect(supervisor.locator("#feed-badge")).to_have_text("1")

    handler = open_as("handler")
    handler.goto(f"{url}/items/{item.number}")
    act(handler, "acknowledge", "落实批示", lambda form: form.get_by_label("落实措施").fill("周五前报送方案"))
    expect(handler.locator(".card-instructions")).to_contain_text("周五前报送方案")

    supervisor.reload()
    expect(supervisor.locator("#feed-badge")).to_have_text("2")
    supervisor.locator(".mainnav").get_by_role("link", name="灵通信息").click()
    expect(supervisor.locator("#feed")).to_contain_text("本周拿出方案")
    expect(supervisor.locator("#feed")).to_contain_text("周五前报送方案")
    expect(supervisor.locator("#feed-badge")).to_have_text("0")
