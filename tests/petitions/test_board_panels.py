"""The petitions' panels on the home boards: a handler's petitions to answer, a supervisor's to assign and to
close, each counted, and each row's action done from the board (POST with CSRF, the state changes)."""

import re

import pytest

from portal.kernel.db import database
from portal.petitions.models import Petition
from tests.conftest import csrf_token

from .conftest import act

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def panel(page, key):
    """The panel ``key`` of a board page: its count and its HTML; None when the board has no such panel."""
    match = re.search(rf'<section class="panel" id="panel-{key}".*?</section>', page, re.S)
    if match is None:
        return None
    count = re.search(r'<h2 [^>]*>.*?<span class="badge[^"]*"[^>]*>(\d+)</span>', match.group(0), re.S)
    return int(count.group(1)), match.group(0)


def state(app, number):
    with app.app_context(), database.connection_context():
        return Petition.get(Petition.number == number).state


def test_each_role_sees_its_petitions_counted_and_acts_from_the_board(app, sign_in, demo, petition):
    supervisor, handler, catering = (sign_in(u) for u in ("supervisor", "handler", "catering"))
    new = [petition(area=f"{n}号楼") for n in range(3)]
    for number in new[:2]:
        assert act(supervisor, number, "assign", department="property").status_code == 200
    answered = new[1]
    assert act(handler, answered, "answer", reply="已上门维修").status_code == 200

    board = supervisor.get("/").get_data(as_text=True)
    assert panel(board, "petitions_to_assign")[0] == 1 and new[2] in panel(board, "petitions_to_assign")[1]
    assert panel(board, "petitions_to_close")[0] == 1 and answered in panel(board, "petitions_to_close")[1]
    assert 'badge-zero' not in panel(board, "petitions_to_assign")[1].split("</h2>")[0]
    assert panel(board, "petitions_to_answer") is None
    mine = handler.get("/").get_data(as_text=True)
    assert panel(mine, "petitions_to_answer")[0] == 1 and new[0] in panel(mine, "petitions_to_answer")[1]
    assert panel(mine, "petitions_to_assign") is None
    assert panel(catering.get("/").get_data(as_text=True), "petitions_to_answer")[0] == 0  # not their department

    # The handler answers from the board (htmx): a message, the panels told to refresh, the petition answered.
    token = csrf_token(handler, "/")
    form = panel(mine, "petitions_to_answer")[1]
    assert f'action="/petitions/{new[0]}/actions/answer"' in form and 'name="reply"' in form
    bare = sign_in("handler", csrf_header=False)  # a browser without scripts: the token only in the form
    refused = bare.post(f"/petitions/{new[0]}/actions/answer", data={"version": 2, "from": "board", "reply": "好"})
    assert refused.status_code == 400 and state(app, new[0]) == "assigned"  # the form without its token
    empty = handler.post(f"/petitions/{new[0]}/actions/answer", headers={"HX-Request": "true"},
                         data={"csrf_token": token, "version": 2, "from": "board", "reply": " "})
    assert empty.status_code == 422 and "alert-error" in empty.get_data(as_text=True)
    done = handler.post(f"/petitions/{new[0]}/actions/answer", headers={"HX-Request": "true"},
                        data={"csrf_token": token, "version": 2, "from": "board", "reply": "明日恢复供暖"})
    assert done.status_code == 200 and "itemChanged" in done.headers["HX-Trigger"]
    assert new[0] in done.get_data(as_text=True) and state(app, new[0]) == "answered"
    assert panel(handler.get("/board/petitions_to_answer").get_data(as_text=True), "petitions_to_answer")[0] == 0

    # The supervisor assigns and closes from the board without JavaScript: 303 back to the board.
    token = csrf_token(supervisor, "/")
    assigned = supervisor.post(f"/petitions/{new[2]}/actions/assign",
                               data={"csrf_token": token, "version": 1, "from": "board", "department": "catering"})
    assert assigned.status_code == 303 and assigned.headers["Location"].endswith("/")
    assert state(app, new[2]) == "assigned"
    closed = supervisor.post(f"/petitions/{answered}/actions/close",
                             data={"csrf_token": token, "version": 3, "from": "board", "satisfaction": "satisfied"})
    assert closed.status_code == 303 and state(app, answered) == "closed"
    board = supervisor.get("/").get_data(as_text=True)
    assert panel(board, "petitions_to_assign")[0] == 0
    assert panel(board, "petitions_to_close")[0] == 1 and new[0] in panel(board, "petitions_to_close")[1]
    assert panel(catering.get("/").get_data(as_text=True), "petitions_to_answer")[0] == 1


def test_a_handlers_panel_shows_the_area_with_its_phone_masked(app, sign_in, demo, petition):
    supervisor, handler = sign_in("supervisor"), sign_in("handler")
    number = petition(area="3号楼张先生13812345678")
    assert act(supervisor, number, "assign", department="property").status_code == 200
    row = panel(handler.get("/").get_data(as_text=True), "petitions_to_answer")[1]
    assert "3号楼张先生138****5678" in row and "13812345678" not in row
