"""A file sent with an action is part of the action: kept when it succeeds, gone when it is refused."""

import io
import re

from portal.items.models import Attachment, Item, ItemEvent
from portal.kernel.db import database
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def _version(client, number):
    html = client.get(f"/items/{number}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _files_and_attach_events(app, number):
    with app.app_context(), database.connection_context():
        item = Item.get(Item.number == number)
        return (Attachment.select().where(Attachment.item == item.id).count(),
                ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "attach").count())


def test_a_refused_action_keeps_nothing_of_its_file(app, sign_in, make_item):
    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    response = client.post(f"/items/{number}/actions/request_closure", headers=HX, data={
        "version": _version(client, number), "comment": "", "csrf_token": csrf_token(client, "/"),
        "file": (io.BytesIO(b"%PDF-1.4 evidence"), "佐证.pdf")})
    assert response.status_code == 422 and 'id="request_closure-comment-error"' in response.get_data(as_text=True)
    assert _files_and_attach_events(app, number) == (0, 0)
    stale = client.post(f"/items/{number}/actions/report", headers=HX, data={
        "version": "1", "progress": "50", "comment": "进展", "csrf_token": csrf_token(client, "/"),
        "file": (io.BytesIO(b"%PDF-1.4 evidence"), "佐证.pdf")})
    assert stale.status_code == 409
    assert _files_and_attach_events(app, number) == (0, 0)


def test_evidence_sent_with_the_closure_request_counts_and_is_kept(app, sign_in, make_item):
    app.config["PORTAL"]["workflow"]["closure_requires_attachment"] = True
    number = make_item(actions=("dispatch", "accept"))
    client = sign_in("handler")
    response = client.post(f"/items/{number}/actions/request_closure", data={
        "version": _version(client, number), "comment": "已完成", "csrf_token": csrf_token(client, "/"),
        "file": (io.BytesIO(b"%PDF-1.4 evidence"), "佐证.pdf")})
    assert response.status_code == 303
    assert _files_and_attach_events(app, number) == (1, 1)
    page = client.get(f"/items/{number}").get_data(as_text=True)
    assert "佐证.pdf" in page and "申请办结" in page
