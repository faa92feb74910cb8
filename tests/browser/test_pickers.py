"""The search-as-you-type pickers never drop a choice made while their answer is on its way (a slow link).

Each picker answer is held in the browser (Playwright route): the server has answered, the answer has
not arrived yet. The person picks meanwhile; then the answer arrives and replaces the choices.
"""

import datetime
import re

from playwright.sync_api import expect

from portal.auth.models import User
from portal.items import queries, services
from portal.items.models import Item
from portal.kernel.db import database

PICKERS = "**/items/pickers/**"


class HeldAnswers:
    """Holds every answer to ``pattern`` until ``release()``: what a person on a slow link lives through."""

    def __init__(self, page, pattern=PICKERS):
        self.page = page
        self.held = []
        page.route(pattern, self._hold)

    def _hold(self, route):
        self.held.append((route, route.fetch()))  # the real server answers now; the browser waits

    def wait_for(self, count):
        """Wait until ``count`` answers are held (a search is sent 250 ms after the last key)."""
        for _ in range(200):
            if len(self.held) >= count:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{len(self.held)} picker answers held, {count} expected")

    def release(self):
        for route, response in self.held:
            route.fulfill(response=response)
        self.held.clear()


def choices(page, name):
    return page.get_by_role("combobox", name=name).locator("option")


def test_a_department_picked_while_the_search_answer_is_on_its_way_is_kept(open_as, live_server):
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/items/new")
    held = HeldAnswers(supervisor)
    supervisor.get_by_label("标题").fill("小区路灯更换")
    supervisor.get_by_label("办理期限").fill((datetime.date.today() + datetime.timedelta(days=20)).isoformat())
    lead = supervisor.get_by_role("combobox", name="主办部门")

    supervisor.get_by_role("searchbox", name="搜索：主办部门").fill("物业")
    held.wait_for(1)
    expect(choices(supervisor, "主办部门")).to_have_count(8)  # not narrowed yet: every department
    lead.select_option("property")                            # picked from the full list meanwhile
    held.release()

    # What the person sees: the list narrowed to the match, their choice still chosen.
    expect(choices(supervisor, "主办部门")).to_have_text(["— 请选择 —", "物业服务中心"])
    expect(lead).to_have_value("property")
    # The next search sends the choice along and the server keeps it (the options box survived the swap).
    supervisor.get_by_role("searchbox", name="搜索：主办部门").fill("餐饮")
    held.wait_for(1)
    held.release()
    expect(choices(supervisor, "主办部门")).to_have_text(["— 请选择 —", "物业服务中心", "餐饮服务中心"])
    expect(lead).to_have_value("property")
    supervisor.get_by_role("button", name="保存为草稿").click()
    expect(supervisor.locator("h1")).to_have_text("小区路灯更换")
    expect(supervisor.locator(".facts")).to_contain_text("物业服务中心")
    with live_server.app.app_context(), database.connection_context():
        assert Item.get(Item.title == "小区路灯更换").lead_department.code == "property"


def test_a_choice_the_new_search_does_not_match_stays_chosen_in_the_list(open_as, live_server):
    """On the draft edit form (the same pickers): choices outside the search stay, chosen, for select and boxes."""
    with live_server.app.app_context(), database.connection_context():
        item = services.create_item(User.get(User.username == "supervisor"), {
            "title": "食堂窗口改造", "source_type": "meeting", "lead_department": "office", "leader": "leader",
            "deadline": (datetime.date.today() + datetime.timedelta(days=20)).isoformat()})
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/items/{item.number}/edit")
    held = HeldAnswers(supervisor)
    lead = supervisor.get_by_role("combobox", name="主办部门")
    co = supervisor.locator("#co_departments-options")

    supervisor.get_by_role("searchbox", name="搜索：主办部门").fill("物业")
    supervisor.get_by_role("searchbox", name="搜索：协办部门").fill("幼教")
    held.wait_for(2)
    lead.select_option("catering")                          # not what the search will find
    co.get_by_label("文体新闻中心").check()                  # nor this
    held.release()

    # 餐饮服务中心 put back at the top, chosen; 综合办公室 was chosen when the search was sent, so the
    # server kept it too (no longer chosen).
    expect(choices(supervisor, "主办部门")).to_have_text(["— 请选择 —", "餐饮服务中心", "综合办公室", "物业服务中心"])
    expect(lead).to_have_value("catering")
    expect(co.get_by_role("checkbox")).to_have_count(2)     # 幼教中心 found, 文体新闻中心 kept
    expect(co.get_by_label("文体新闻中心")).to_be_checked()
    expect(co.get_by_label("幼教中心")).not_to_be_checked()
    supervisor.get_by_role("button", name="保存", exact=True).click()
    expect(supervisor.locator("h1")).to_have_text("食堂窗口改造")
    facts = supervisor.locator(".facts")
    expect(facts).to_contain_text("餐饮服务中心")
    expect(facts).to_contain_text("文体新闻中心")
    with live_server.app.app_context(), database.connection_context():
        saved = Item.get_by_id(item.id)
        assert saved.lead_department.code == "catering"
        assert [d.code for d in queries.co_departments(saved)] == ["culture"]


def test_a_deadline_typed_while_the_proposed_one_is_on_its_way_is_kept(open_as, live_server):
    """The same race one field up: choosing the source proposes a deadline; what one types meanwhile wins."""
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/items/new")
    held = HeldAnswers(supervisor, "**/items/new/deadline**")
    typed = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    supervisor.get_by_label("标题").fill("路面修补")
    field = supervisor.get_by_label("办理期限")
    before = field.element_handle()
    supervisor.get_by_role("combobox", name="来源").select_option("instruction")
    held.wait_for(1)
    field.fill(typed)
    held.release()
    supervisor.wait_for_function("input => !input.isConnected", arg=before)  # the field was replaced
    expect(field).to_have_value(typed)
    supervisor.get_by_role("combobox", name="主办部门").select_option("property")
    supervisor.get_by_role("button", name="保存为草稿").click()
    expect(supervisor.locator("h1")).to_have_text("路面修补")
    expect(supervisor.locator(".facts")).to_contain_text(typed)

    # Without typing, the answer proposes the source's deadline as before (领导批示: 15 days).
    supervisor.goto(f"{live_server.url}/items/new")
    before = field.element_handle()
    supervisor.get_by_role("combobox", name="来源").select_option("instruction")
    held.wait_for(1)
    held.release()
    supervisor.wait_for_function("input => !input.isConnected", arg=before)
    expect(field).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(field).not_to_have_value(typed)
