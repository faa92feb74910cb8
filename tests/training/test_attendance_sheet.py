"""The attendance sheet of a training: one form for the whole table, one POST, checked first, one
transaction (issue 20, point 14)."""

import re

from portal.kernel.db import database
from portal.training.models import Enrolment

from .test_trainings import new_training


def _enrol(sign_in, path, *users):
    for user in users:
        assert sign_in(user).post(f"{path}/enrolment").status_code == 201


def _attendance(app, training_id):
    with app.app_context(), database.connection_context():
        return {e.user.username: (e.present, e.note)
                for e in Enrolment.select().where(Enrolment.training == training_id)}


def test_the_sheet_is_one_form_with_a_row_per_person(sign_in, demo):
    training = new_training(sign_in("supervisor"))
    _enrol(sign_in, f"/api/v1/trainings/{training['id']}", "handler", "catering")
    html = sign_in("supervisor").get(f"/trainings/{training['id']}").get_data(as_text=True)
    sheet = re.search(r'<form [^>]*class="attendance-sheet".*?</form>', html, re.S).group(0)
    assert html.count('class="attendance-sheet"') == 1
    for user in ("handler", "catering"):
        assert f'name="present-{user}" value="true"' in sheet and f'name="present-{user}" value="false"' in sheet
        assert f'name="note-{user}"' in sheet and f'name="username" value="{user}"' in sheet
    assert 'name="all_present" value="1"' in sheet and "全部出勤" in sheet


def test_several_at_once_and_all_present(sign_in, demo, app):
    training = new_training(sign_in("supervisor"))
    t = training["id"]
    _enrol(sign_in, f"/api/v1/trainings/{t}", "handler", "catering", "commute")
    supervisor = sign_in("supervisor")
    response = supervisor.post(f"/trainings/{t}/attendance", data={
        "username": ["handler", "catering", "commute"], "present-handler": "true", "note-handler": "全程参加",
        "present-catering": "false", "note-catering": "病假", "present-commute": ""})
    assert response.status_code == 303
    assert _attendance(app, t) == {"handler": (True, "全程参加"), "catering": (False, "病假"), "commute": (None, "")}

    response = supervisor.post(f"/trainings/{t}/attendance", data={
        "username": ["handler", "catering", "commute"], "note-handler": "全程参加", "present-catering": "false",
        "note-catering": "病假", "all_present": "1"})  # the page sends every row's note as it stands
    assert response.status_code == 303
    assert _attendance(app, t) == {"handler": (True, "全程参加"), "catering": (True, "病假"), "commute": (True, "")}


def test_a_wrong_row_writes_nothing_and_says_which(sign_in, demo, app):
    training = new_training(sign_in("supervisor"))
    t = training["id"]
    _enrol(sign_in, f"/api/v1/trainings/{t}", "handler", "catering")
    supervisor = sign_in("supervisor")
    response = supervisor.post(f"/trainings/{t}/attendance", data={
        "username": ["handler", "catering"], "present-handler": "true", "present-catering": "maybe"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="present-catering-error"' in html and 'id="present-handler-error"' not in html
    assert _attendance(app, t) == {"handler": (None, ""), "catering": (None, "")}  # nothing half-written

    stranger = supervisor.post(f"/trainings/{t}/attendance", data={
        "username": ["handler", "culture"], "present-handler": "true", "present-culture": "true"})
    assert stranger.status_code == 422
    assert re.search(r'class="alert alert-error"[^>]*>culture[^<]*</div>', stranger.get_data(as_text=True))
    assert _attendance(app, t)["handler"] == (None, "")

    long_note = supervisor.post(f"/trainings/{t}/attendance", data={
        "username": ["handler"], "present-handler": "true", "note-handler": "长" * 201})
    assert long_note.status_code == 422 and 'id="note-handler-error"' in long_note.get_data(as_text=True)


def test_only_supervisors_record_the_sheet(sign_in, demo, app):
    training = new_training(sign_in("supervisor"))
    t = training["id"]
    _enrol(sign_in, f"/api/v1/trainings/{t}", "handler")
    response = sign_in("handler").post(f"/trainings/{t}/attendance", data={
        "username": ["handler"], "all_present": "1"})
    assert response.status_code == 403
    assert _attendance(app, t) == {"handler": (None, "")}
