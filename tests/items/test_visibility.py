"""What a handler sees of the items around one they may see: never another department's child."""

import datetime

from portal.auth.models import User
from portal.items import actions, services
from portal.kernel.db import database


def _register(supervisor, title, lead, parent=None, **fields):
    data = {"title": title, "lead_department": lead, "leader": "leader", "source_type": "meeting",
            "deadline": (datetime.date.today() + datetime.timedelta(days=20)).isoformat(), **fields}
    if parent is None:
        return services.create_item(supervisor, data)
    return services.add_child(supervisor, parent, data)


def test_the_item_page_lists_only_the_children_a_handler_may_see(app, sign_in, demo):
    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        parent = _register(supervisor, "供暖接入市网", "property", co_departments=["catering"])
        children = [_register(supervisor, "食堂燃气改造子任务", "commute", parent=parent),
                    _register(supervisor, "餐饮中心配合事项", "catering", parent=parent)]
        for item in [parent] + children:  # handlers see items once dispatched
            actions.perform(supervisor, item, "dispatch", {"version": item.version})
    client = sign_in("catering")
    page = client.get(f"/items/{parent.number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "供暖接入市网" in html
    assert "餐饮中心配合事项" in html  # catering leads this child: visible
    assert "食堂燃气改造子任务" not in html  # commute's child: not this handler's to see


def test_a_handler_sees_an_item_only_once_it_has_been_dispatched(app, sign_in, demo):
    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        draft = _register(supervisor, "尚在起草的事项", "property", co_departments=["catering"])
        dropped = _register(supervisor, "未交办即撤销的事项", "property")
        actions.perform(supervisor, dropped, "cancel", {"version": dropped.version, "comment": "重复立项"})
    client = sign_in("handler")
    for number in (draft.number, dropped.number):
        assert client.get(f"/items/{number}").status_code == 404
        assert client.get(f"/api/v1/items/{number}").status_code == 404
    listed = client.get("/items").get_data(as_text=True)
    assert "尚在起草的事项" not in listed and "未交办即撤销的事项" not in listed
    assert client.get("/api/v1/items").get_json()["total"] == 0
    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        draft = services.get_visible(supervisor, draft.number)
        actions.perform(supervisor, draft, "dispatch", {"version": draft.version})
    assert client.get(f"/items/{draft.number}").status_code == 200
    assert client.get(f"/api/v1/items/{draft.number}").status_code == 200
    assert "尚在起草的事项" in client.get("/items").get_data(as_text=True)


def test_the_page_and_the_api_list_the_same_children_from_one_query_function(app, sign_in, demo):
    from portal.items.queries import visible_children
    from tests.querycount import count_queries

    with app.test_request_context(), database.connection_context():
        supervisor = User.get(User.username == "supervisor")
        parent = _register(supervisor, "供暖接入市网", "property", co_departments=["catering"])
        children = [_register(supervisor, f"子任务 {lead}", lead, parent=parent, co_departments=co)
                    for lead, co in (("property", ["catering"]), ("commute", []), ("catering", []))]
        for item in [parent] + children[:2]:  # the catering child stays a draft
            actions.perform(supervisor, item, "dispatch", {"version": item.version})
        handler = User.get(User.username == "handler")
        assert handler.has_role("handler")  # roles loaded before counting
        with count_queries() as queries:
            seen = visible_children(handler, parent)
            shown = [(c.number, c.lead_department.code, [d.code for d in c.co_departments], c.leader.username)
                     for c in seen]
        assert shown == [(children[0].number, "property", ["catering"], "leader")]
        assert len(queries) == 2  # the children with their people, then all their co-departments
        assert [c.title for c in visible_children(supervisor, parent)] == [c.title for c in children]
    client = sign_in("handler")
    api_children = client.get(f"/api/v1/items/{parent.number}").get_json()["children"]
    page = client.get(f"/items/{parent.number}").get_data(as_text=True)
    assert [c["title"] for c in api_children] == ["子任务 property"]
    assert "子任务 property" in page and "子任务 commute" not in page and "子任务 catering" not in page
