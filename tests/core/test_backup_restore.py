"""Backup under load, then restore into an empty instance: every user, item, event and file is back.

The source is built through the real services and the real pages/API; ``flask backup`` runs while a
background thread keeps making requests (reads, actions, uploads); ``flask restore`` puts the folder
into a new database with an empty uploads folder, which must hold what the source held when the
backup was taken: nothing lost, nothing invented, every item's state the end of its own events.
"""

import hashlib
import io
import threading
import traceback
import uuid
from pathlib import Path

import pytest

from portal import create_app, demo as demo_module
from portal.auth.models import User
from portal.items.models import Attachment, Item, ItemEvent
from portal.kernel.db import database
from tests.conftest import postgres_database
from tests.items.conftest import act, attach, register

LOAD_REQUESTS = 200


def snapshot():
    """Users, items, events and attachments as plain rows keyed by id."""
    return {
        "users": {u["id"]: (u["username"], u["display_name"], u["email"], u["password_hash"], u["active"])
                  for u in User.select().dicts()},
        "items": {i["id"]: i for i in Item.select().dicts()},
        "events": {e["id"]: e for e in ItemEvent.select().dicts()},
        "attachments": {a["id"]: a for a in Attachment.select().dicts()},
    }


def assert_events_explain_states(state):
    """Each item's events chain (from_state = the previous to_state) and end in the item's state."""
    by_item = {}
    for event in sorted(state["events"].values(), key=lambda e: e["id"]):
        by_item.setdefault(event["item"], []).append(event)
    for item_id, item in state["items"].items():
        current = None
        for event in by_item.get(item_id, []):
            assert event["from_state"] == current, (item["number"], event)
            current = event["to_state"]
        assert current == item["state"], (item["number"], current, item["state"])


def build_source(app):
    """Demo people, items in several states with events and files, and two extra users."""
    from portal.auth.users import create_user

    with app.test_request_context(), database.connection_context():
        demo_module.seed_people()
        create_user("backup-probe", ["leader"], password="探针-pw", name="备份检查 · 张三")
        create_user("backup-probe2", ["handler"], password="demo", name="王五", department_code="property")
        people = {name: User.get(User.username == name) for name in ("supervisor", "handler", "leader")}
        numbers = []
        for i in range(6):
            item = register(people["supervisor"], title=f"备份事项 {i}")
            if i >= 1:
                item = act(people["supervisor"], item, "dispatch")
            if i >= 2:
                item = act(people["handler"], item, "accept")
                attach(people["handler"], item, name=f"佐证-{i}.pdf", content=b"%PDF-1.4 " + bytes([i]) * (i * 5000))
                item = act(people["handler"], item, "report", progress=40, comment=f"进展 {i}")
            if i >= 4:
                item = act(people["handler"], item, "request_closure", comment="已完成")
            numbers.append(item.number)
    return numbers


def load(sign_in, app, numbers, started, stop, counts, errors):
    """Mixed reads and actions until ``stop`` is set or LOAD_REQUESTS are made; 5xx answers are recorded."""
    handler, supervisor = sign_in("handler", app=app), sign_in("supervisor", app=app)
    for n in range(LOAD_REQUESTS):
        if stop.is_set():
            break
        number = numbers[2 + n % 2]  # two items in progress
        kind = n % 5
        if kind == 0:
            response = handler.get("/api/v1/items?per_page=50")
        elif kind == 1:
            response = supervisor.get(f"/items/{number}")
        elif kind == 2:
            version = handler.get(f"/api/v1/items/{number}").get_json()["version"]
            response = handler.post(f"/api/v1/items/{number}/actions/report",
                                    json={"version": version, "progress": n % 100, "comment": f"负载 {n}"})
        elif kind == 3:
            content = b"%PDF-1.4 load " + uuid.uuid4().bytes * 64
            response = handler.post(f"/api/v1/items/{number}/attachments",
                                    data={"file": (io.BytesIO(content), f"负载-{n}.pdf")})
        else:
            version = supervisor.get(f"/api/v1/items/{number}").get_json()["version"]
            response = supervisor.post(f"/api/v1/items/{number}/actions/urge",
                                       json={"version": version, "comment": f"催办 {n}"})
        counts["requests"] += 1
        if response.status_code >= 500 or response.status_code not in (200, 201, 409):
            errors.append((n, response.status_code, response.get_data(as_text=True)[:300]))
        if counts["requests"] == 20:
            started.set()
    started.set()


@pytest.fixture
def empty_target(database_url, tmp_path, request):
    """The URL of a second, empty database (and its instance folder) to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'portal.db'}"
        return
    with postgres_database(request.getfixturevalue("postgres_server"), "r") as url:
        yield url


def test_backup_under_load_restores_everything_into_an_empty_instance(make_app, empty_target, tmp_path, sign_in):
    uploads = tmp_path / "uploads"
    source = make_app(uploads={"folder": str(uploads)})
    numbers = build_source(source)
    with source.app_context(), database.connection_context():
        before = snapshot()

    started, stop, counts, errors = threading.Event(), threading.Event(), {"requests": 0}, []
    worker = threading.Thread(target=load, args=(sign_in, source, numbers, started, stop, counts, errors))
    worker.start()
    try:
        assert started.wait(120)
        at_start = counts["requests"]
        result = source.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
        during = counts["requests"] - at_start
    finally:
        stop.set()
        worker.join(120)
    assert result.exit_code == 0, result.output
    assert errors == []
    assert during > 0, "no request was served while the backup ran"
    folder = Path(result.output.strip().splitlines()[-1])
    with source.app_context(), database.connection_context():
        after = snapshot()
    assert len(after["attachments"]) > len(before["attachments"])  # the load did write

    # A new instance: its own database and an empty uploads folder, set up by init-db.
    target_uploads = tmp_path / "restored-uploads"
    target = create_app({"app": {"secret_key": "test-secret", "demo": False},
                         "database": {"url": empty_target}, "uploads": {"folder": str(target_uploads)}})
    target.config.update(TESTING=True)
    target.instance_path = str(tmp_path / "restored-instance")
    runner = target.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    restored = runner.invoke(args=["restore", str(folder)])
    assert restored.exit_code == 0, restored.output + "".join(traceback.format_exception(*restored.exc_info))
    assert "restored:" in restored.output

    with target.app_context(), database.connection_context():
        back = snapshot()
        assert database.table_exists("schema_version")
    # Nothing lost: everything that existed before the backup began is back, unchanged where immutable.
    assert before["users"].items() <= back["users"].items()
    assert set(before["items"]) <= set(back["items"])
    assert before["events"].items() <= back["events"].items()
    assert before["attachments"].items() <= back["attachments"].items()
    # Nothing invented: every restored row existed in the source at the end, events and files unchanged.
    assert back["users"].items() <= after["users"].items()
    assert back["events"].items() <= after["events"].items()
    assert back["attachments"].items() <= after["attachments"].items()
    assert set(back["items"]) <= set(after["items"])
    # A consistent moment: each item's events lead to its state, and no event is missing in between.
    assert_events_explain_states(back)
    for item_id in back["items"]:
        source_ids = sorted(e for e, row in after["events"].items() if row["item"] == item_id)
        restored_ids = sorted(e for e, row in back["events"].items() if row["item"] == item_id)
        assert restored_ids == source_ids[:len(restored_ids)]
    # Every file is back, byte for byte.
    for row in back["attachments"].values():
        path = target_uploads / row["sha256"][:2] / row["sha256"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]

    # People sign in with their old passwords and download their files through the restored portal.
    handler = sign_in("handler", app=target)
    some = next(iter(before["attachments"].values()))
    number = back["items"][some["item"]]["number"]
    download = handler.get(f"/api/v1/items/{number}/attachments/{some['id']}")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == some["sha256"]
    assert sign_in("backup-probe2", app=target).get("/api/v1/me").get_json()["username"] == "backup-probe2"

    # Restoring again would overwrite: refused with exit code 2, nothing changed.
    again = runner.invoke(args=["restore", str(folder)])
    assert again.exit_code == 2
    assert "restore refused: the instance is not empty" in again.output
    with target.app_context(), database.connection_context():
        assert snapshot() == back


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_restore_refuses_an_instance_with_files_or_a_folder_that_is_no_backup(make_app, tmp_path):
    uploads = tmp_path / "uploads"
    app = make_app(uploads={"folder": str(uploads)})
    runner = app.test_cli_runner()
    not_a_backup = tmp_path / "nothing"
    not_a_backup.mkdir()
    result = runner.invoke(args=["restore", str(not_a_backup)])
    assert result.exit_code == 2 and "is not a backup folder" in result.output
    backup = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    folder = backup.output.strip().splitlines()[-1]
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "ab12").write_bytes(b"someone's file")
    result = runner.invoke(args=["restore", folder])
    assert result.exit_code == 2
    assert "0 users, 0 items, 1 stored files" in result.output
    assert (uploads / "ab" / "ab12").read_bytes() == b"someone's file"
