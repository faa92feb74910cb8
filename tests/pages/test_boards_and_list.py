"""The home boards and the item list: counts, fragments, URL filters, and query counts that do not grow."""

import re

from portal.items.models import Item
from portal.kernel.db import database
from portal.notify.models import Notification
from tests.conftest import csrf_token
from tests.querycount import count_queries, fresh_request_queries

HX = {"HX-Request": "true"}


def badge(html, panel):
    section = re.search(rf'<section class="panel" id="panel-{panel}".*?</h2>', html, re.S).group(0)
    return int(re.search(r'class="badge[^"]*"[^>]*>(\d+)<', section).group(1))


def test_each_role_sees_its_panels_with_counts(sign_in, make_item):
    make_item("供暖接入市网")
    make_item("职工食堂改造", lead="catering")
    make_item("旧房出售", actions=())
    handler = sign_in("handler").get("/").get_data(as_text=True)
    assert badge(handler, "to_accept") == 1 and badge(handler, "department") == 1
    assert "供暖接入市网" in handler and "职工食堂改造" not in handler
    assert 'id="panel-review"' not in handler
    supervisor = sign_in("supervisor").get("/").get_data(as_text=True)
    assert badge(supervisor, "drafts") == 1 and badge(supervisor, "review") == 0
    leader = sign_in("leader").get("/").get_data(as_text=True)
    assert badge(leader, "supervised") == 2 and "本月立项" in leader


def test_a_panel_is_its_own_fragment_refreshed_by_item_changes(sign_in, make_item):
    make_item()
    client = sign_in("handler")
    response = client.get("/board/to_accept", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'hx-trigger="itemChanged from:body' in html and "HX-Request" in response.headers["Vary"]
    assert "<html" in client.get("/board/to_accept").get_data(as_text=True)  # without htmx: a page
    assert client.get("/board/review").status_code == 404  # not a handler's panel


def test_sign_for_from_the_board(sign_in, make_item):
    number = make_item()
    client = sign_in("handler")
    board = client.get("/").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', board).group(1)
    response = client.post(f"/items/{number}/actions/accept", headers=HX, data={
        "version": version, "from": "board", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "itemChanged"
    assert f"已完成：签收 {number}" in response.get_data(as_text=True)
    assert badge(client.get("/").get_data(as_text=True), "to_accept") == 0
    again = client.post(f"/items/{number}/actions/accept", headers=HX, data={
        "version": version, "from": "board", "csrf_token": csrf_token(client, "/")})
    assert again.status_code == 409 and number in again.get_data(as_text=True)
    plain = client.post(f"/items/{number}/actions/accept", data={
        "version": version, "from": "board", "csrf_token": csrf_token(client, "/")})
    assert plain.status_code == 303 and plain.headers["Location"] == "/"  # without JavaScript: back to the board
    assert number in client.get("/").get_data(as_text=True)  # with the message why


def test_list_filters_live_in_the_url(sign_in, make_item):
    make_item("供暖接入市网")
    make_item("天然气接入", lead="catering")
    make_item("旧街区关闭", actions=())
    client = sign_in("supervisor")
    page = client.get("/items?state=dispatched").get_data(as_text=True)
    assert "<html" in page and "供暖接入市网" in page and "旧街区关闭" not in page
    assert 'hx-push-url="true"' in page and '<option value="dispatched" selected>' in page
    fragment = client.get("/items?state=dispatched&department=catering", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "天然气接入" in fragment and "供暖接入市网" not in fragment
    assert "旧街区关闭" in client.get("/items?q=街区").get_data(as_text=True)
    assert "没有符合条件的事项" in client.get("/items?light=red").get_data(as_text=True)
    sorted_page = client.get("/items?sort=-number").get_data(as_text=True)
    assert sorted_page.index("旧街区关闭") < sorted_page.index("供暖接入市网")


def test_list_and_board_query_counts_do_not_grow_with_rows(app, sign_in, make_item):
    def uncached_board():
        return fresh_request_queries(leader, "/")

    client = sign_in("supervisor")
    leader = sign_in("leader")
    for n in range(10):  # enough to fill the board's panels: beyond that only the counts change
        make_item(f"事项{n}")
    client.get("/items"), leader.get("/")
    few = fresh_request_queries(client, "/items")
    board_few = uncached_board()
    for n in range(10, 40):
        make_item(f"事项{n}", lead="catering" if n % 2 else "property")
    many = fresh_request_queries(client, "/items")
    page = client.get("/items").get_data(as_text=True)
    board_many = uncached_board()
    assert len(many) == len(few)
    assert len(board_many) == len(board_few)
    assert "共 40 项，第 1/2 页" in page and 'href="/items?page=2"' in page


def test_back_button_gets_the_whole_page(sign_in, make_item):
    make_item()
    client = sign_in("supervisor")
    restore = client.get("/items?state=dispatched", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_board_counts_stop_at_a_cap(sign_in, make_item, monkeypatch):
    from portal.home import boards

    monkeypatch.setattr(boards, "COUNT_CAP", 9)  # a hundred in the portal; nine here keeps the test small
    for n in range(8):
        make_item(f"事项{n}")
    client = sign_in("handler")
    assert ">8<" in client.get("/board/department").get_data(as_text=True)
    make_item("事项8")
    make_item("事项9")
    html = client.get("/board/department").get_data(as_text=True)
    assert ">9+<" in html and "在列表中查看全部<" in html


def test_the_list_reads_its_page_number_like_every_paged_page(sign_in, make_item):
    make_item()
    client = sign_in("supervisor")
    for odd in ("²", "-3", "abc", ""):  # "²" passes str.isdigit() but is no number
        response = client.get("/items", query_string={"page": odd})
        assert response.status_code == 200 and "供暖接入市网" in response.get_data(as_text=True), odd
    far = client.get("/items?page=99999999999999999999").get_data(as_text=True)
    assert "没有符合条件的事项" in far and "第 99999999999999999999/" not in far  # capped like every paged list


def test_the_list_offers_25_50_or_100_rows_and_remembers_the_choice(sign_in, make_item):
    for n in range(30):
        make_item(title=f"事项{n:02d}")
    supervisor = sign_in("supervisor")
    first = supervisor.get("/items").get_data(as_text=True)
    assert first.count("<tr") - 1 == 25
    page = supervisor.get("/items?per_page=50").get_data(as_text=True)
    assert 'value="50" selected' in page and "事项00" in page and "事项29" in page
    again = supervisor.get("/items").get_data(as_text=True)  # remembered
    assert "事项00" in again and "事项29" in again
    ignored = supervisor.get("/items?per_page=100000").get_data(as_text=True)  # not offered: the last choice
    assert 'value="50" selected' in ignored


def test_a_cached_board_is_never_stale_after_a_change(app, sign_in, make_item):
    """Boards are cached per user until something they show changes (issue 14)."""
    handler, supervisor = sign_in("handler"), sign_in("supervisor")

    def to_accept():
        html = handler.get("/board/to_accept", headers=HX).get_data(as_text=True)
        return html.count('action="/items/DB-')

    make_item("燃气入户")
    assert to_accept() == 1
    with count_queries() as hit:
        assert to_accept() == 1
    assert len([s for s in hit if 'FROM "item"' in s]) == 0  # served from the cache
    number = make_item("供暖接入")  # another dispatch, through the services: the next view shows it
    assert to_accept() == 2
    token = csrf_token(handler, f"/items/{number}")
    with app.app_context(), database.connection_context():
        version = Item.get(Item.number == number).version
    handler.post(f"/items/{number}/actions/accept", data={"version": version, "csrf_token": token})
    assert to_accept() == 1
    supervisor.post(f"/items/{number}/follow", data={"csrf_token": csrf_token(supervisor, "/")})
    assert number in supervisor.get("/board/followed", headers=HX).get_data(as_text=True)


def test_a_change_empties_the_cache_of_the_boards_it_outdates(app, sign_in, make_item):
    """A web worker keeps boards of the latest count only: values of an older one are never asked for
    again, and kept until the cache filled they took ~40 MB per worker under load (issue 14)."""
    from portal.kernel import changes

    leader, supervisor = sign_in("leader"), sign_in("supervisor")
    make_item("燃气入户")

    def kept():
        with app.app_context():
            return changes._memo[database.obj][1]

    leader.get("/")
    supervisor.get("/")
    assert [key[0] for key in kept()].count("board-page") == 2
    make_item("供暖接入")
    supervisor.get("/")
    assert [key[0] for key in kept()].count("board-page") == 1  # the supervisor's new page only


def test_a_cached_board_gives_each_session_forms_it_can_send(sign_in, make_item):
    """Rendered panels are cached too, per session: the quick action's form carries the CSRF token of the
    session it is shown in, so a second browser of the same person can sign for an item from its board."""
    make_item("燃气入户")
    first, second = sign_in("handler"), sign_in("handler", csrf_header=False, new_session=True)
    first.get("/"), first.get("/")  # cached for the first session
    html = second.get("/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/items/[^"]+/actions/accept)".*?</form>', html, re.S)
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    response = second.post(form.group(1), data=fields)
    assert response.status_code == 303
    assert "燃气入户" not in second.get("/board/to_accept", headers=HX).get_data(as_text=True)


def test_a_long_list_says_more_than_its_cap_and_pages_on(app, sign_in, make_item, monkeypatch):
    """A list counts its matches up to LIST_COUNT_CAP (1,000) and then says "more than"; every page
    beyond stays reachable, in the page and in the API."""
    from portal.items import queries

    monkeypatch.setattr(queries, "LIST_COUNT_CAP", 3)
    numbers = [make_item(f"事项{n}") for n in range(5)]
    client = sign_in("supervisor")
    page = client.get("/items").get_data(as_text=True)
    assert "超过 3 项，第 1 页" in page and all(number in page for number in numbers)
    body = client.get("/api/v1/items?per_page=2&page=1").get_json()
    assert (body["total"], body["total_capped"], len(body["items"])) == (3, True, 2)
    third = client.get("/api/v1/items?per_page=2&page=3").get_json()
    assert [row["number"] for row in third["items"]] == [numbers[4]]
    assert client.get("/api/v1/items?per_page=2&page=4").get_json()["items"] == []
    exact = client.get("/api/v1/items?q=事项0").get_json()
    assert (exact["total"], exact["total_capped"]) == (1, False)


def test_the_cached_board_page_follows_items_notifications_and_language(app, sign_in, make_item):
    """The whole board page is cached (home.views.index); whatever it shows changing shows at once."""
    from portal.auth.models import User
    from portal.notify import delivery

    handler = sign_in("handler")
    make_item("燃气入户")
    with app.app_context(), database.connection_context():
        delivery.relay()
    handler.get("/")
    first = handler.get("/").get_data(as_text=True)  # from the cache
    assert "燃气入户" in first and "供暖接入" not in first
    make_item("供暖接入")
    assert "供暖接入" in handler.get("/").get_data(as_text=True)

    def unread():
        with app.app_context(), database.connection_context():
            return Notification.select().where(Notification.user == User.get(User.username == "handler").id,
                                               Notification.read_at.is_null()).count()

    before = unread()
    with app.app_context(), database.connection_context():
        delivery.relay()  # the dispatch's notification reaches the handler: no item changed
    assert unread() == before + 1
    page = handler.get("/").get_data(as_text=True)
    assert re.search(rf'id="notification-badge"[^>]*>{before + 1}</span>', page)
    token = csrf_token(handler, "/")
    handler.post("/locale/en", data={"csrf_token": token, "next": "/"})
    assert "Items to sign for" in handler.get("/").get_data(as_text=True)
