"""The layout at a phone's 390×844 and a laptop's 1366×900, measured in Chromium (issue 20, points 13
and 14): no page wider than the screen, a compact header whose menu opens, the nav in one line at
1366, an item's main action on the first screen, checkboxes beside their labels, the attendance
sheet in its columns, and no htmx complaint in the console."""

import pytest
from playwright.sync_api import expect

from portal.items.models import Item
from portal.kernel.db import database

from .conftest import ARTIFACTS, serve

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "laptop": LAPTOP}


@pytest.fixture
def live_server(make_app):
    """The whole demo (items in every state, articles, trainings, petitions, an inspection…)."""
    from portal import demo

    with serve(make_app(), demo.seed) as server:
        yield server


def _numbers(app):
    """Demo items by what the tests need of them."""
    from portal.inspections.models import Inspection
    from portal.petitions.models import Petition
    from portal.training.models import Training

    with app.app_context(), database.connection_context():
        def item(state):
            return (Item.select().join(Item.lead_department.rel_model, on=Item.lead_department)
                    .where(Item.state == state, Item.lead_department.rel_model.code == "property")
                    .order_by(Item.id).first().number)

        return {"dispatched": item("dispatched"), "in_progress": item("in_progress"),
                "petition": Petition.select().order_by(Petition.id).first().number,
                "inspection": Inspection.select().order_by(Inspection.id).first().id,
                "trainings": [t.id for t in Training.select().order_by(Training.id)]}


def _pages(role, n):
    """The main pages of each role."""
    common = ["/", "/kb", "/kb/1", "/trainings", f"/trainings/{n['trainings'][0]}",
              f"/trainings/{n['trainings'][1]}", "/notifications", "/profile", "/search?q=供暖"]
    work = ["/items", f"/items/{n['in_progress']}", f"/items/{n['dispatched']}", "/petitions",
            f"/petitions/{n['petition']}", "/inspections", f"/inspections/{n['inspection']}", "/stats", "/feed"]
    return {
        "leader": common + work + ["/digests"],
        "supervisor": common + work + ["/items/new", "/kb/new", "/kb/1/edit", "/trainings/new", "/petitions/new",
                                       "/inspections/new", "/digests"],
        "handler": common + work,
        "admin": common + ["/admin/", "/admin/users", "/admin/departments", "/admin/sign-ins"],
    }[role]


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"), caret="initial")  # (hiding it injects a style: CSP)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["leader", "supervisor", "handler", "admin"])
def test_no_page_is_wider_than_the_screen(open_as, live_server, role, size):
    numbers = _numbers(live_server.app)
    page = open_as(role)
    page.set_viewport_size(SIZES[size])
    wide = []
    for path in _pages(role, numbers):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            wide.append((path, width, culprits))
    assert not wide, f"wider than the screen: {wide}"


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("role", ["leader", "supervisor", "handler", "admin"])
def test_the_phone_header_is_compact_and_its_menu_opens(open_as, live_server, role, javascript):
    page = open_as(role, javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/items" if role != "admin" else live_server.url + "/kb")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 120, header
    links = page.locator(".mainnav a")
    assert links.count() >= 5
    for index in range(links.count()):
        expect(links.nth(index)).to_be_hidden()  # folded until the menu opens
    toggle = page.get_by_text("菜单", exact=True)
    expect(toggle).to_be_visible()
    toggle.click()
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(page.locator(".sitemenu").get_by_role("button", name="退出")).to_be_visible()
    _shot(page, f"menu-{role}-{'js' if javascript else 'nojs'}")
    page.locator(".mainnav").get_by_role("link", name="通知").click()
    expect(page.locator("h1")).to_contain_text("通知")


@pytest.mark.parametrize("role", ["leader", "supervisor", "handler"])
def test_the_nav_is_one_line_at_1366(open_as, live_server, role):
    page = open_as(role)
    page.set_viewport_size(LAPTOP)
    for path in ("/", "/items", "/kb"):
        page.goto(live_server.url + path)
        entries = page.locator(".mainnav > a, .mainnav > .nav-more > summary")
        tops = {round(entries.nth(i).bounding_box()["y"]) for i in range(entries.count())}
        assert len(tops) == 1, f"{path}: the nav wraps to {len(tops)} lines"
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] <= 64, header
    expect(page.get_by_text("菜单", exact=True)).to_be_hidden()
    more = page.locator(".nav-more summary")
    if role in ("leader", "supervisor"):
        more.click()
        for name in ("每周汇报", "培训"):
            expect(page.locator(".nav-more-panel").get_by_role("link", name=name)).to_be_visible()
        _shot(page, f"more-{role}")
        page.locator("h1").first.click()  # a click elsewhere folds it again
        expect(page.locator(".nav-more-panel").get_by_role("link", name="培训")).to_be_hidden()


def _on_first_screen(locator):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box


def test_the_items_main_action_is_on_a_phones_first_screen(open_as, live_server):
    numbers = _numbers(live_server.app)
    handler = open_as("handler")
    handler.set_viewport_size(PHONE)
    handler.goto(f"{live_server.url}/items/{numbers['dispatched']}")
    sign = handler.locator(".action-bar").get_by_role("button", name="签收")
    _on_first_screen(sign)
    _shot(handler, "bar-dispatched")
    sign.click()
    expect(handler.locator(".item-head .state")).to_have_text("办理中")

    handler.goto(f"{live_server.url}/items/{numbers['in_progress']}")
    report = handler.locator(".action-bar").get_by_role("link", name="进展反馈")
    _on_first_screen(report)
    report.click()
    _on_first_screen(handler.locator("#form-report").get_by_label("进展情况"))
    _shot(handler, "bar-in-progress")

    handler.set_viewport_size(LAPTOP)  # wider, the card is enough: no bar
    expect(handler.locator(".action-bar")).to_be_hidden()


def _beside(page, selector):
    """For each label (selector) holding a checkbox or radio: (box centre y, text centre y, box right, text left)."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].map(label => {
        const box = label.querySelector('input').getBoundingClientRect();
        const text = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
        const range = document.createRange(); range.selectNodeContents(text);
        const words = range.getBoundingClientRect();
        return {label: label.textContent.trim(), box: (box.top + box.bottom) / 2, text: (words.top + words.bottom) / 2,
                right: box.right, left: words.left};
    })""", selector)


@pytest.mark.parametrize("size", SIZES)
def test_required_reading_checkboxes_sit_beside_their_labels(open_as, live_server, size):
    supervisor = open_as("supervisor")
    supervisor.set_viewport_size(SIZES[size])
    for path in ("/kb/new", "/kb/1/edit"):
        supervisor.goto(live_server.url + path)
        checks = _beside(supervisor, "fieldset label:has(input[name^=required_])")
        assert len(checks) >= 10
        for check in checks:
            assert abs(check["box"] - check["text"]) <= 3, check
            assert check["right"] <= check["left"], check
    _shot(supervisor, f"required-reading-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_attendance_sheet_stands_in_its_columns(open_as, live_server, size):
    numbers = _numbers(live_server.app)
    supervisor = open_as("supervisor")
    supervisor.set_viewport_size(SIZES[size])
    for training in numbers["trainings"]:
        supervisor.goto(f"{live_server.url}/trainings/{training}")
        rows = supervisor.evaluate("""() => {
            const table = document.querySelector('#attendance-title').closest('section').querySelector('table');
            const heads = [...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect());
            return [...table.querySelectorAll('tbody tr')].map(tr => ({
                heads: heads.map(h => [h.left, h.right]),
                radios: [...tr.querySelectorAll('input[type=radio]')].map(r => r.getBoundingClientRect())
                    .map(r => [r.left, r.right, (r.top + r.bottom) / 2]),
                note: (r => [r.left, r.right, (r.top + r.bottom) / 2])(
                    tr.querySelector('input[type=text]').getBoundingClientRect())}));
        }""")
        assert rows, "no enrolment in the demo training"
        for row in rows:
            (_name, attendance, note) = row["heads"][:3]
            assert len(row["radios"]) == 2
            for left, right, middle in row["radios"]:
                assert attendance[0] - 1 <= left and right <= attendance[1] + 1, row
                assert abs(middle - row["radios"][0][2]) <= 2, row  # both choices on one line
            assert note[0] - 1 <= row["note"][0] and row["note"][1] <= note[1] + 1, row
            assert abs(row["note"][2] - row["radios"][0][2]) <= 6, row  # on the row's line
        for choice in _beside(supervisor, "table.attendance label.choice"):
            assert abs(choice["box"] - choice["text"]) <= 3 and choice["right"] <= choice["left"], choice
    _shot(supervisor, f"attendance-{size}")


def test_the_whole_sheet_is_saved_at_once_in_the_browser(open_as, live_server):
    numbers = _numbers(live_server.app)
    supervisor = open_as("supervisor")
    supervisor.goto(f"{live_server.url}/trainings/{numbers['trainings'][0]}")
    sheet = supervisor.locator("form.attendance-sheet")
    radios = sheet.get_by_label("出席", exact=True)
    assert radios.count() >= 2
    sheet.get_by_role("button", name="全部出勤").click()
    expect(supervisor.locator(".alert-success")).to_contain_text("出勤已保存")
    for index in range(radios.count()):
        expect(supervisor.locator("form.attendance-sheet").get_by_label("出席", exact=True).nth(index)).to_be_checked()


def test_no_htmx_complaint_in_the_console(open_as, live_server):
    numbers = _numbers(live_server.app)
    messages = []
    supervisor = open_as("supervisor")
    supervisor.on("console", lambda m: messages.append((m.type, m.text)))
    supervisor.goto(f"{live_server.url}/items/new")
    supervisor.locator("#source_type").select_option("instruction")  # htmx fetches the deadline
    expect(supervisor.locator("#deadline")).not_to_have_value("")
    supervisor.get_by_role("button", name="保存为草稿").click()  # htmx posts the form: errors come back
    expect(supervisor.locator("#title-error")).to_be_visible()
    supervisor.goto(f"{live_server.url}/items/{numbers['in_progress']}")
    supervisor.locator("details:has(#form-urge) > summary").click()
    supervisor.locator("#form-urge").get_by_role("button", name="催办").click()  # htmx: the comment is missing
    expect(supervisor.locator("#form-urge [aria-invalid=true]")).to_be_visible()
    handler = open_as("handler")
    handler.on("console", lambda m: messages.append((m.type, m.text)))
    handler.goto(f"{live_server.url}/items/{numbers['dispatched']}")
    handler.locator("#form-accept").get_by_role("button", name="签收").click()
    expect(handler.locator(".item-head .state")).to_have_text("办理中")
    # (the browser's own "Failed to load resource" lines are the 422s asked for above)
    complaints = [m for m in messages if m[0] in ("error", "warning") and not m[1].startswith("Failed to load resource")]
    assert not complaints, complaints
