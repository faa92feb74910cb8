"""Three people take one item through its whole life in real Chromium, clicking as they would."""

import datetime
import re

from playwright.sync_api import expect

PDF = {"name": "进展材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% progress report\n"}
EVIDENCE = {"name": "佐证材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% evidence\n"}


def badge(page, panel):
    return page.locator(f"#panel-{panel} h2 .badge")


def home(page, live_server):
    page.goto(f"{live_server.url}/")


def act(page, action_label, fill=None, decision=None):
    """Open an action's small form on the item page, fill it, submit it, wait for the swap."""
    page.locator("summary", has_text=re.compile(f"^{action_label}$")).click()
    form = page.locator("details[open] form")
    for label, value in (fill or {}).items():
        field = form.get_by_label(label)
        if isinstance(value, dict):
            field.set_input_files(files=[value])
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if decision:
        form.get_by_label(decision, exact=True).check()
    with page.expect_response(lambda r: "/actions/" in r.url) as response:
        form.get_by_role("button", name=action_label).click()
    assert response.value.status == 200, response.value.status


def test_one_item_from_registration_to_rating(open_as, live_server):
    supervisor, handler, leader = open_as("supervisor"), open_as("handler"), open_as("leader")
    today = datetime.date.today()
    deadline = today + datetime.timedelta(days=30)

    # The supervisor registers the item (立项) with the pickers, then dispatches it (交办).
    expect(badge(supervisor, "drafts")).to_have_text("0")
    supervisor.get_by_role("link", name="督办事项").first.click()
    supervisor.get_by_role("link", name="督办立项").click()
    supervisor.get_by_label("标题").fill("供暖接入市网工作推进")
    supervisor.get_by_label("办理期限").fill(deadline.isoformat())
    lead = supervisor.get_by_role("combobox", name="主办部门")
    supervisor.get_by_role("searchbox", name="搜索：主办部门").fill("物业")
    expect(lead.locator("option")).to_have_text(["— 请选择 —", "物业服务中心"])  # narrowed: what one sees
    lead.select_option("property")
    supervisor.get_by_role("combobox", name="督办领导").select_option("leader")
    supervisor.get_by_label("督办要求").fill("十月底前完成供暖管网接入，每周反馈进展。")
    supervisor.get_by_role("button", name="保存为草稿").click()
    expect(supervisor.locator("h1")).to_have_text("供暖接入市网工作推进")
    number = supervisor.locator(".item-number").inner_text()
    timeline = supervisor.locator("#timeline")
    expect(timeline).to_contain_text("立项")
    home(supervisor, live_server)
    expect(badge(supervisor, "drafts")).to_have_text("1")
    supervisor.get_by_role("link", name="供暖接入市网工作推进").first.click()
    with supervisor.expect_response(lambda r: "/actions/dispatch" in r.url):
        supervisor.get_by_role("button", name="交办").click()
    expect(timeline).to_contain_text("交办 → 已交办")
    home(supervisor, live_server)
    expect(badge(supervisor, "drafts")).to_have_text("0")

    # The handler of the lead department signs for it (签收) straight from the board.
    home(handler, live_server)
    expect(badge(handler, "to_accept")).to_have_text("1")
    handler.locator("#panel-to_accept").get_by_role("button", name=re.compile("签收")).click()
    expect(handler.locator("#messages")).to_contain_text(f"已完成：签收 {number}")
    expect(badge(handler, "to_accept")).to_have_text("0")  # the panel refreshed itself
    expect(badge(handler, "department")).to_have_text("1")

    # Progress report with an attachment, then an extension request.
    handler.get_by_role("link", name="供暖接入市网工作推进").first.click()
    timeline = handler.locator("#timeline")
    expect(timeline).to_contain_text("签收 → 办理中")
    act(handler, "进展反馈", {"进度（百分比）": "50", "进展情况": "管网施工已完成一半。", "附件": PDF})
    expect(timeline).to_contain_text("进展反馈 · 50%")
    expect(handler.locator(".files")).to_contain_text("进展材料.pdf")
    later = (deadline + datetime.timedelta(days=15)).isoformat()
    act(handler, "申请延期", {"新的办理期限": later, "延期理由": "冬季施工窗口推迟。"})
    expect(timeline).to_contain_text("申请延期")

    # The leader decides the extension.
    home(leader, live_server)
    expect(badge(leader, "extensions")).to_have_text("1")
    leader.locator("#panel-extensions").get_by_role("link", name="供暖接入市网工作推进").click()
    act(leader, "延期审批", {"意见": "同意延期。"}, decision="同意")
    expect(leader.locator("#timeline")).to_contain_text("延期审批 · 同意")
    expect(leader.locator(".facts")).to_contain_text(later)
    home(leader, live_server)
    expect(badge(leader, "extensions")).to_have_text("0")

    # The handler asks for closure with evidence (申请办结).
    handler.reload()
    act(handler, "申请办结", {"办理情况总结": "接入完成，已通暖。", "佐证材料": EVIDENCE})
    expect(timeline).to_contain_text("申请办结 → 申请办结")
    expect(handler.locator(".files")).to_contain_text("佐证材料.pdf")

    # The supervisor reviews (审核).
    home(supervisor, live_server)
    expect(badge(supervisor, "review")).to_have_text("1")
    supervisor.locator("#panel-review").get_by_role("link", name="供暖接入市网工作推进").click()
    act(supervisor, "审核", decision="同意")
    expect(supervisor.locator("#timeline")).to_contain_text("审核 → 待领导审批")
    home(supervisor, live_server)
    expect(badge(supervisor, "review")).to_have_text("0")

    # The leader approves the closure (审批) and rates it (评价).
    home(leader, live_server)
    expect(badge(leader, "approval")).to_have_text("1")
    leader.locator("#panel-approval").get_by_role("link", name="供暖接入市网工作推进").click()
    act(leader, "办结审批", {"意见": "同意办结。"}, decision="同意")
    expect(leader.locator("#timeline")).to_contain_text("办结审批 → 已办结")
    expect(leader.locator(".item-head")).to_contain_text("按期办结")
    act(leader, "评价", {"评分": "5", "意见": "推进有力。"})
    expect(leader.locator("#timeline")).to_contain_text("评价 · ★★★★★")
    home(leader, live_server)
    expect(badge(leader, "approval")).to_have_text("0")

    # The printable 督办单 is one A4 page.
    leader.goto(f"{live_server.url}/items/{number}/print")
    pdf = leader.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

    # The list filters as you choose, and the URL keeps the filter (bookmarkable).
    leader.goto(f"{live_server.url}/items")
    with leader.expect_response(lambda r: "state=closed" in r.url):
        leader.get_by_label("状态").select_option("closed")
    expect(leader).to_have_url(re.compile(r"/items\?.*state=closed"))
    expect(leader.locator("#results")).to_contain_text("供暖接入市网工作推进")
    with leader.expect_response(lambda r: "state=in_progress" in r.url):
        leader.get_by_label("状态").select_option("in_progress")
    expect(leader.locator("#results")).to_contain_text("没有符合条件的事项")

    # Everyone sees the same complete timeline.
    handler.reload()
    for line in ["立项", "交办", "签收", "进展反馈", "申请延期", "延期审批", "申请办结", "审核", "办结审批", "评价"]:
        expect(handler.locator("#timeline")).to_contain_text(line)


def test_handler_cannot_open_another_departments_item(open_as, live_server):
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/items/new")
    supervisor.get_by_label("标题").fill("旧街区关闭")
    supervisor.get_by_role("combobox", name="主办部门").select_option("property")
    supervisor.get_by_label("督办要求").fill("按计划关闭旧街区。")
    supervisor.get_by_role("button", name="保存为草稿").click()
    number = supervisor.locator(".item-number").inner_text()

    # Cancelling asks first: dismissed, nothing happens; confirmed, the item is cancelled.
    supervisor.locator("summary", has_text="撤销").click()
    form = supervisor.locator("#form-cancel")
    form.get_by_label("意见").fill("重复立项")
    supervisor.once("dialog", lambda dialog: dialog.dismiss())
    form.get_by_role("button", name="撤销").click()
    expect(supervisor.locator(".item-head")).to_contain_text("草稿")
    supervisor.once("dialog", lambda dialog: dialog.accept())
    with supervisor.expect_response(lambda r: "/actions/cancel" in r.url):
        form.get_by_role("button", name="撤销").click()
    expect(supervisor.locator("#timeline")).to_contain_text("撤销 → 已撤销")

    catering = open_as("catering")
    response = catering.goto(f"{live_server.url}/items/{number}")
    assert response.status == 404
    expect(catering.locator("h1")).to_have_text("404")
    expect(catering.locator("body")).not_to_contain_text("旧街区关闭")


def test_main_path_without_javascript(open_as, live_server):
    supervisor = open_as("supervisor", javascript=False)
    supervisor.goto(f"{live_server.url}/items/new")
    supervisor.get_by_label("标题").fill("天然气接入")
    supervisor.get_by_role("combobox", name="主办部门").select_option("property")
    supervisor.get_by_label("督办要求").fill("完成天然气入户。")
    supervisor.get_by_role("button", name="保存为草稿").click()
    expect(supervisor.locator("#messages")).to_contain_text("已保存")
    supervisor.get_by_role("button", name="交办").click()
    expect(supervisor.locator("#messages")).to_contain_text("已完成：交办")
    expect(supervisor.locator("#timeline")).to_contain_text("交办 → 已交办")

    handler = open_as("handler", javascript=False)
    expect(badge(handler, "to_accept")).to_have_text("1")
    handler.get_by_role("link", name="天然气接入").first.click()
    handler.get_by_role("button", name="签收").click()
    expect(handler.locator("#timeline")).to_contain_text("签收 → 办理中")
    # A bad report comes back with the error next to the field.
    handler.locator("summary", has_text="进展反馈").click()
    form = handler.locator("#form-report")
    form.get_by_label("进度（百分比）").fill("50")
    form.get_by_role("button", name="进展反馈").click()
    expect(handler.locator("#report-comment-error")).to_be_visible()
    form = handler.locator("#form-report")
    form.get_by_label("进展情况").fill("入户工作已完成一半。")
    form.get_by_role("button", name="进展反馈").click()
    expect(handler.locator("#timeline")).to_contain_text("进展反馈 · 50%")

    # The filtered list is a plain GET: the same URL gives the same page.
    handler.goto(f"{live_server.url}/items?state=in_progress")
    expect(handler.locator("#results")).to_contain_text("天然气接入")
    handler.goto(f"{live_server.url}/items?state=closed")
    expect(handler.locator("#results")).to_contain_text("没有符合条件的事项")
