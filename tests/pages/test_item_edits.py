"""Editing a draft or returned item: the timeline says what changed (field: before → after), an edit that
changes nothing writes nothing, and after the next action only its message shows."""

import datetime
import re
from html.parser import HTMLParser

from portal.items.models import Item, ItemEvent
from portal.kernel.db import database
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def form_of(html):
    """The item form's fields as the edit page fills them in: {name: value or [values]}."""
    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self._select, self._textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "radio", "search"):
                self.values[attrs["name"]] = attrs.get("value", "")
            elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
                self.values.setdefault(attrs["name"], []).append(attrs["value"])
            elif tag == "select":
                self._select = attrs.get("name")
                if "multiple" in attrs:
                    self.values.setdefault(self._select, [])
            elif tag == "option" and self._select and "selected" in attrs:
                if isinstance(self.values.get(self._select), list):
                    self.values[self._select].append(attrs.get("value", ""))
                else:
                    self.values[self._select] = attrs.get("value", "")
            elif tag == "textarea":
                self._textarea = attrs.get("name")
                self.values[self._textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self._select = None
            elif tag == "textarea":
                self._textarea = None

        def handle_data(self, data):
            if self._textarea:
                self.values[self._textarea] += data

    parser = Form()
    parser.feed(html[html.index('id="item-form"'):])
    return {k: v for k, v in parser.values.items() if k not in ("csrf_token", "q")}


def timeline_lines(html):
    block = html[html.index('id="timeline"'):]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip()
            for li in re.findall(r"<li class=\"event-update\">(.*?)</li>\s*(?=<li class=\"event-|</ol>)", block, re.S)]


def events_of(app, number, action):
    with app.app_context(), database.connection_context():
        item = Item.get(Item.number == number)
        return list(ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == action)
                    .order_by(ItemEvent.id))


def returned_item(make_item, sign_in):
    number = make_item(lead="catering")
    catering = sign_in("catering")
    html = catering.get(f"/items/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = catering.post(f"/items/{number}/actions/return",
                             data={"version": version, "reason": "not_our_remit", "comment": "不属于本部门"})
    assert response.status_code == 303
    return number


def test_an_edit_says_what_changed_and_a_no_op_edit_writes_nothing(app, sign_in, make_item):
    number = returned_item(make_item, sign_in)
    client = sign_in("supervisor")
    page = client.get(f"/items/{number}").get_data(as_text=True)
    # A returned item is not a draft: its edit button says 编辑.
    assert f'href="/items/{number}/edit">编辑</a>' in page and "编辑草稿" not in page

    form = form_of(client.get(f"/items/{number}/edit").get_data(as_text=True))
    assert form["lead_department"] == "catering" and form["level"] == "normal"
    nothing = client.post(f"/items/{number}/edit", data=form)
    assert nothing.status_code == 303
    assert events_of(app, number, "update") == []
    assert "没有修改任何内容" in client.get(f"/items/{number}").get_data(as_text=True)

    new_deadline = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    edited = {**form, "lead_department": "office", "level": "major", "deadline": new_deadline,
              "content": "新的要求全文", "version": form["version"]}
    assert client.post(f"/items/{number}/edit", data=edited).status_code == 303
    (event,) = events_of(app, number, "update")
    changes = {c["field"]: c for c in event.data["changes"]}
    assert changes["lead_department"] == {"field": "lead_department", "before": "餐饮服务中心", "after": "综合办公室"}
    assert changes["level"] == {"field": "level", "before": "normal", "after": "major"}
    assert changes["deadline"]["after"] == new_deadline
    assert changes["content"] == {"field": "content"}  # long text: only that it changed
    assert set(changes) == {"lead_department", "level", "deadline", "content"}

    page = client.get(f"/items/{number}").get_data(as_text=True)
    (line,) = timeline_lines(page)
    assert "编辑" in line and "编辑草稿" not in line
    assert "主办部门：餐饮服务中心 → 综合办公室" in line
    assert "级别：一般 → 重大" in line
    assert f"→ {new_deadline}" in line and "要求 已修改" in line and "新的要求全文" not in line


def test_after_dispatch_only_the_dispatch_message_shows(app, sign_in, make_item):
    number = make_item(actions=())
    client = sign_in("supervisor")
    form = form_of(client.get(f"/items/{number}/edit").get_data(as_text=True))
    saved = client.post(f"/items/{number}/edit", data={**form, "title": "供暖接入市网（修订）"}, headers=HX)
    assert saved.status_code == 204 and saved.headers["HX-Redirect"] == f"/items/{number}"
    page = client.get(f"/items/{number}").get_data(as_text=True)
    assert "已保存" in page  # the page after saving says so, above the item
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(f"/items/{number}/actions/dispatch", headers={**HX, "X-CSRFToken": csrf_token(client, "/")},
                           data={"version": version})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已完成：交办" in body
    # The swap empties the page's message area (out of band): "已保存" no longer stands above the item.
    oob = re.search(r'<div id="messages"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', body, re.S)
    assert oob is not None and oob.group(1).strip() == ""
    assert "已保存" not in body and body.count("已完成：交办") == 1
