"""On a phone-sized screen (390 px), a member records a finding with a camera photo and a supervisor turns
it into an item — in real Chromium, one column, no sideways scrolling, no CSP violation."""

import datetime
import io

from PIL import Image
from playwright.sync_api import expect

from portal.auth.models import User
from portal.inspections import services as inspections
from portal.items import actions, services
from portal.items.models import Item
from portal.kernel.db import database

PHONE = {"width": 390, "height": 844}


def _photo():
    image = Image.new("RGB", (1200, 900), (30, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 2.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _plan(app):
    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        item = services.create_item(supervisor, {
            "title": "供暖接入市网", "source_type": "meeting", "lead_department": "property", "leader": "leader",
            "deadline": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()})
        actions.perform(supervisor, item, "dispatch", {"version": item.version})
        return inspections.plan(supervisor, {"subject": "供暖设施入户检查", "date": datetime.date.today().isoformat(),
                                             "places": "三区锅炉房", "members": ["supervisor", "handler"],
                                             "items": [item.number]}).id


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_record_a_finding_with_a_photo_on_a_phone_and_make_it_an_item(open_as, live_server):
    inspection_id = _plan(live_server.app)
    handler = open_as("handler")
    handler.set_viewport_size(PHONE)
    handler.goto(f"{live_server.url}/inspections")
    handler.get_by_role("link", name="供暖设施入户检查").click()
    expect(handler.locator("h1")).to_have_text("供暖设施入户检查")
    _fits(handler)
    jump = handler.get_by_role("link", name="记录发现")
    expect(jump).to_be_visible()  # the bottom button, under the thumb
    box = jump.bounding_box()
    assert box["y"] + box["height"] > PHONE["height"] - 80 and box["width"] > 300
    photos = handler.get_by_label("照片")
    assert photos.get_attribute("capture") == "environment" and photos.get_attribute("accept") == "image/*"
    handler.get_by_label("发现的问题").fill("三区锅炉房管道漏水，地面结冰")
    handler.get_by_label("严重", exact=True).check()
    photos.set_input_files(files=[_photo(), _photo() | {"name": "IMG_2042.jpg"}])
    handler.get_by_role("button", name="保存发现").click()
    finding = handler.locator("article.finding").first
    expect(finding).to_contain_text("三区锅炉房管道漏水")
    expect(finding.locator(".photo-strip img")).to_have_count(2)
    thumbnail = finding.locator(".photo-strip img").first
    expect(thumbnail).to_have_js_property("complete", True)  # wait until it has loaded, as the eye does
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    _fits(handler)

    supervisor = open_as("supervisor")
    supervisor.set_viewport_size(PHONE)
    supervisor.goto(f"{live_server.url}/inspections/{inspection_id}")
    card = supervisor.locator("article.finding").first
    card.get_by_label("主办部门").select_option("property")
    card.get_by_role("button", name="转为督办事项").click()
    expect(supervisor.locator("h1")).to_have_text("实地督查：三区锅炉房管道漏水，地面结冰")
    _fits(supervisor)
    with live_server.app.app_context(), database.connection_context():
        item = Item.get(Item.source_type == "inspection")
        assert item.level == "major" and item.attachments.count() == 2
    supervisor.goto(f"{live_server.url}/inspections/{inspection_id}/report")
    expect(supervisor.locator(".report-photos img")).to_have_count(2)


def test_a_supervisor_plans_an_inspection_and_a_leader_reads_last_weeks_digest(open_as, live_server):
    from portal.digests.services import last_week, make

    supervisor = open_as("supervisor")
    supervisor.get_by_role("link", name="实地督查").first.click()
    supervisor.get_by_role("link", name="安排督查").click()
    supervisor.get_by_label("主题").fill("食堂卫生检查")
    supervisor.get_by_label("地点").fill("一食堂\n二食堂")
    supervisor.get_by_label("成员").select_option(["supervisor", "catering"])
    supervisor.get_by_role("button", name="安排督查").click()
    expect(supervisor.locator("h1")).to_have_text("食堂卫生检查")
    expect(supervisor.locator("dl.details")).to_contain_text("一食堂、二食堂")

    with live_server.app.test_request_context(), database.connection_context():
        make()
    leader = open_as("leader")
    leader.locator(".nav-more summary").click()  # 每周汇报 is under 更多 in the leader's menu
    leader.get_by_role("link", name="每周汇报").first.click()
    leader.get_by_role("link", name=last_week()).click()
    expect(leader.locator("h1")).to_have_text(f"王建国 的每周汇报（{last_week()}）")
    # A report of the week: sentences first, then only the sections that hold something (issue 20, point 4).
    expect(leader.locator(".digest-report")).to_contain_text("本周")
    sections = leader.locator(".digest-section")
    if sections.count() == 0:  # a quiet week says so in one sentence
        expect(leader.locator(".digest-report")).to_contain_text("没有变化")
    for n in range(sections.count()):
        expect(sections.nth(n).locator("li").first).to_be_visible()
        expect(sections.nth(n).locator("h2")).not_to_contain_text("(0)")
