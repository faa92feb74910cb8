"""Trainings: organising, enrolment within capacity and deadline (also under concurrency), attendance,
the learning record, the .ics file, search, and every route for every role."""

import datetime
import threading

from portal.auth.models import User
from portal.kernel.db import database
from portal.training import services
from portal.training.models import Enrolment, Training


def _at(days, hour=9):
    moment = datetime.datetime.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def new_training(client, **fields):
    data = {"title": "督办业务培训：供暖专项", "starts_at": _at(10, 9), "ends_at": _at(10, 12), "place": "矿区办公楼 301",
            "trainer": "李秀英", "capacity": 3, "enrol_until": _at(9, 18), "description": "供暖接入市网的督办要点"}
    data.update(fields)
    response = client.post("/api/v1/trainings", json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_training_fills_to_capacity_is_attended_and_shows_in_the_learning_record(sign_in, demo):
    training = new_training(sign_in("supervisor"))
    path = f"/api/v1/trainings/{training['id']}"
    for user in ("handler", "catering", "commute"):
        assert sign_in(user).post(f"{path}/enrolment").status_code == 201
    assert sign_in("handler").post(f"{path}/enrolment").status_code == 200  # already enrolled: nothing new
    full = sign_in("culture").post(f"{path}/enrolment")
    assert full.status_code == 409 and "3" in full.get_json()["error"]["message"]
    assert sign_in("commute").delete(f"{path}/enrolment").get_json() == {"enrolled": False, "enrolled_count": 2}
    assert sign_in("culture").post(f"{path}/enrolment").status_code == 201

    supervisor = sign_in("supervisor")
    assert supervisor.post(f"{path}/attendance", json={"username": "handler", "present": True,
                                                       "note": "全程参加"}).status_code == 200
    assert supervisor.post(f"{path}/attendance", json={"username": "catering", "present": False}).status_code == 200
    bad = supervisor.post(f"{path}/attendance", json={"username": "commute", "present": "maybe"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"present"}
    assert supervisor.post(f"{path}/attendance", json={"username": "commute", "present": True}).status_code == 422
    detail = supervisor.get(path).get_json()
    assert {e["username"]: e["present"] for e in detail["enrolments"]} == {
        "handler": True, "catering": False, "culture": None}

    record = sign_in("handler").get("/trainings").get_data(as_text=True)
    assert "督办业务培训：供暖专项" in record and "3.0" in record  # attended, 3 hours
    assert "督办业务培训：供暖专项" not in sign_in("catering").get("/trainings").get_data(as_text=True).split(
        'id="record-title"')[1]


def test_enrolment_is_refused_after_the_deadline(sign_in, demo, app):
    training = new_training(sign_in("supervisor"))
    sign_in("handler").post(f"/api/v1/trainings/{training['id']}/enrolment")
    with app.app_context(), database.connection_context():
        Training.update(enrol_until=datetime.datetime.now() - datetime.timedelta(hours=1)).execute()
    late = sign_in("catering").post(f"/api/v1/trainings/{training['id']}/enrolment")
    assert late.status_code == 409 and "报名已于" in late.get_json()["error"]["message"]
    assert sign_in("handler").delete(f"/api/v1/trainings/{training['id']}/enrolment").status_code == 409
    page = sign_in("catering").get(f"/trainings/{training['id']}").get_data(as_text=True)
    assert "hx-post" not in page.split('id="enrolment"')[1].split("</section>")[0]


def test_concurrent_enrolments_never_exceed_capacity(sign_in, demo, app):
    training = new_training(sign_in("supervisor"), capacity=2)
    names = ["handler", "catering", "commute", "kindergarten", "retirees", "culture"]
    with app.app_context(), database.connection_context():
        ids = [User.get(User.username == n).id for n in names]
    barrier = threading.Barrier(len(ids))
    results = [None] * len(ids)

    def run(i):
        with app.app_context(), database.connection_context():
            barrier.wait()
            try:
                results[i] = services.enrol(User.get_by_id(ids[i]), training["id"])
            except Exception as exc:  # the outcome under test
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * 4 + ["bool"] * 2
    with app.app_context(), database.connection_context():
        assert Enrolment.select().where(Enrolment.training == training["id"]).count() == 2


def test_input_is_checked_field_by_field(sign_in, demo):
    response = sign_in("supervisor").post("/api/v1/trainings", json={
        "title": "", "starts_at": "tomorrow", "ends_at": _at(1, 8), "place": "", "trainer": "x" * 101,
        "capacity": 0, "enrol_until": _at(5), "materials": [999]})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"title", "starts_at", "place", "trainer", "capacity",
                                                             "materials"}
    backwards = sign_in("supervisor").post("/api/v1/trainings", json={
        "title": "t", "starts_at": _at(5, 10), "ends_at": _at(5, 9), "place": "p", "trainer": "t",
        "capacity": 5, "enrol_until": _at(6)})
    assert set(backwards.get_json()["error"]["fields"]) == {"ends_at", "enrol_until"}


def test_the_ics_file_and_search(sign_in, demo):
    training = new_training(sign_in("supervisor"), description="讲解燃气安全, 以及;特殊字符\n第二行")
    response = sign_in("handler").get(f"/trainings/{training['id']}.ics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    text = response.get_data(as_text=True)
    unfolded = text.replace("\r\n ", "")
    assert "BEGIN:VEVENT" in text and "SUMMARY:督办业务培训：供暖专项" in unfolded
    assert "燃气安全\\, 以及\\;特殊字符\\n第二行" in unfolded and "DTSTART:" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    found = sign_in("handler").get("/api/v1/search?q=燃气&kind=training").get_json()
    assert found["total"] == 1 and found["results"][0]["id"] == training["id"]


ROLES = ("leader", "supervisor", "handler", "admin")


def test_permissions_of_every_route_for_every_role(sign_in, demo, app):
    training = new_training(sign_in("supervisor"))
    t = training["id"]
    for user in ROLES:
        client = sign_in(user)
        organiser = user == "supervisor"
        expected = [
            ("get", "/trainings", None, 200),
            ("get", "/trainings?when=past", None, 200),
            ("get", "/trainings/new", None, 200 if organiser else 403),
            ("get", f"/trainings/{t}", None, 200),
            ("get", f"/trainings/{t}.ics", None, 200),
            ("get", "/trainings/9999", None, 404),
            ("post", f"/trainings/{t}/enrolment", {}, 200),
            ("post", f"/trainings/{t}/attendance", {"username": user, "present": "true"}, 303 if organiser else 403),
            ("get", "/api/v1/trainings", None, 200),
            ("get", f"/api/v1/trainings/{t}", None, 200),
            ("post", f"/api/v1/trainings/{t}/enrolment", None, 200),
            ("delete", f"/api/v1/trainings/{t}/enrolment", None, 200),
            ("post", f"/api/v1/trainings/{t}/attendance", {"username": "handler", "present": True},
             422 if organiser else 403),
            ("post", "/api/v1/trainings", {"title": "x"}, 422 if organiser else 403),
        ]
        for method, path, data, status in expected:
            if method == "get":
                response = client.get(path)
            elif method == "delete":
                response = client.delete(path)
            elif path.startswith("/api/"):
                response = client.post(path, json=data if data is not None else {})
            else:
                response = client.post(path, data={**data, "csrf_token": client.token}, csrf_header=False)
            assert response.status_code == status, (user, method, path, response.status_code)
    anonymous = app.test_client()
    assert anonymous.get("/trainings").status_code in (302, 303)
    assert anonymous.get(f"/api/v1/trainings/{t}").status_code == 401



def test_enrolled_users_are_reminded_the_working_day_before_once(sign_in, demo, app, runner):
    from portal.calendar import add_working_days
    from portal.kernel.clock import local_today
    from portal.notify.models import Notification, Outbox

    with app.app_context(), database.connection_context():
        scan_day = add_working_days(local_today(), 1)  # a working day in the future
        next_day, later_day = add_working_days(scan_day, 1), add_working_days(scan_day, 3)

    def on(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour)).isoformat()

    soon = new_training(sign_in("supervisor"), title="明日培训", starts_at=on(next_day, 9), ends_at=on(next_day, 11),
                        enrol_until=on(scan_day, 8))
    later = new_training(sign_in("supervisor"), title="下周培训", starts_at=on(later_day, 9),
                         ends_at=on(later_day, 11), enrol_until=on(scan_day, 8))
    for user in ("handler", "catering"):
        sign_in(user).post(f"/api/v1/trainings/{soon['id']}/enrolment")
    sign_in("commute").post(f"/api/v1/trainings/{later['id']}/enrolment")

    first = runner.invoke(args=["remind", "--date", scan_day.isoformat()])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["remind", "--date", scan_day.isoformat()])
    assert again.exit_code == 0
    with app.app_context(), database.connection_context():
        rows = Outbox.select().where(Outbox.kind == "training_reminder")
        assert sorted(r.recipient.username for r in rows) == ["catering", "handler"]
        assert all(r.data["training"] == soon["id"] for r in rows)
        notices = Notification.select().where(Notification.kind == "training_reminder")
        assert sorted(n.user.username for n in notices) == ["catering", "handler"]


def test_files_among_the_materials(sign_in, demo):
    import io

    from tests.kb.conftest import PNG, docx_bytes

    training = new_training(sign_in("supervisor"))
    path = f"/trainings/{training['id']}/files"

    def post(user, name, content):
        client = sign_in(user)
        return client.post(path, data={"file": (io.BytesIO(content), name), "csrf_token": client.token},
                           content_type="multipart/form-data", csrf_header=False)

    assert post("supervisor", "讲义.docx", docx_bytes("讲义")).status_code == 303
    refused = post("supervisor", "讲义.pdf", PNG)
    assert refused.status_code == 422 and "文件内容与文件名不符" in refused.get_data(as_text=True)
    for user in ("handler", "leader", "admin"):
        assert post(user, "x.docx", docx_bytes("x")).status_code == 403, user
    files = sign_in("handler").get(f"/api/v1/trainings/{training['id']}").get_json()["files"]
    assert [f["name"] for f in files] == ["讲义.docx"]
    download = sign_in("handler").get(files[0]["url"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert sign_in("handler").get(f"/trainings/{training['id']}/files/999").status_code == 404


def test_a_withdrawn_article_drops_out_of_the_materials(sign_in, demo):
    """An article set back to draft is listed, by title, only to its author (kb visible_articles)."""
    from tests.kb.conftest import write_article

    supervisor = sign_in("supervisor")
    article = write_article(supervisor, title="撤回的内部讲义")
    training = new_training(supervisor, materials=[article["id"]])
    handler = sign_in("handler")
    assert [m["id"] for m in handler.get(f"/api/v1/trainings/{training['id']}").get_json()["materials"]] == \
        [article["id"]]
    assert supervisor.patch(f"/api/v1/kb/articles/{article['id']}", json={"status": "draft"}).status_code == 200
    assert handler.get(f"/api/v1/trainings/{training['id']}").get_json()["materials"] == []
    assert "撤回的内部讲义" not in handler.get(f"/trainings/{training['id']}").get_data(as_text=True)
    assert "撤回的内部讲义" not in sign_in("admin").get(f"/trainings/{training['id']}").get_data(as_text=True)
    # its author still finds the draft among the materials
    assert "撤回的内部讲义" in supervisor.get(f"/trainings/{training['id']}").get_data(as_text=True)
