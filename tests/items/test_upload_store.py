"""Uploads: nothing of a refused action stays on disk, files reach the store only on commit, a sweep
removes orphans, and a download is typed by what its name and content agree on (issue 10, findings 4,
8, 10 and 11)."""

import datetime
import io
import os
import time

import pytest
from werkzeug.datastructures import FileStorage

from portal.items import actions, attachments
from portal.items.models import Attachment, Item, ItemEvent
from portal.kernel import files
from portal.kernel.errors import Conflict, Forbidden, Invalid

from .conftest import act, attach, register

PDF = b"%PDF-1.4 evidence"


def upload(name="evidence.pdf", content=PDF, mimetype="application/pdf"):
    return FileStorage(io.BytesIO(content), filename=name, content_type=mimetype)


def files_on_disk():
    folder = files.upload_folder()
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) \
        if folder.exists() else []


def in_progress(people, **fields):
    item = act(people.supervisor, register(people.supervisor, **fields), "dispatch")
    return act(people.handler, item, "accept")


@pytest.mark.parametrize("who, action, data, refusal", [
    ("catering", "request_closure", {"comment": "已完成"}, Forbidden),   # co-department: not the lead
    ("handler", "accept", {}, Conflict),                                 # wrong state
    ("handler", "report", {"progress": 50}, Invalid),                    # comment missing
    ("handler", "report", {"progress": 50, "comment": "x", "version": 99}, Conflict),  # stale version
])
def test_a_refused_action_leaves_no_file_and_no_row(people, who, action, data, refusal):
    item = in_progress(people)
    data.setdefault("version", item.version)
    with pytest.raises(refusal):
        actions.perform(getattr(people, who), item, action, data, files=[upload()])
    assert files_on_disk() == []
    assert not Attachment.select().where(Attachment.item == item.id).exists()


def test_a_rule_refusing_after_the_files_were_recorded_keeps_nothing_either(people):
    parent = in_progress(people)
    child_data = {"title": "子任务", "lead_department": "catering", "source_type": "meeting",
                  "deadline": parent.deadline.isoformat()}
    from portal.items import services

    services.add_child(people.supervisor, parent, child_data)  # an open child: closure is refused (409)
    with pytest.raises(Conflict):
        actions.perform(people.handler, parent, "request_closure", {"version": parent.version, "comment": "已完成"},
                        files=[upload()])
    assert files_on_disk() == []
    assert not ItemEvent.select().where(ItemEvent.item == parent.id, ItemEvent.action == "attach").exists()


def test_a_file_reaches_the_store_when_its_action_commits(people):
    item = in_progress(people)
    actions.perform(people.handler, item, "request_closure", {"version": item.version, "comment": "已完成"},
                    files=[upload()])
    stored = Attachment.get(Attachment.item == item.id)
    assert files_on_disk() == [f"{stored.sha256[:2]}/{stored.sha256}"]
    assert Item.get_by_id(item.id).state == "closure_requested"


def test_the_sweep_removes_orphans_and_keeps_what_rows_use_and_fresh_uploads(people):
    item = in_progress(people)
    kept = attach(people.handler, item)
    folder = files.upload_folder()
    orphan = folder / "ab" / ("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    (folder / "incoming").mkdir(exist_ok=True)
    stale, fresh = folder / "incoming" / "upload-stale", folder / "incoming" / "upload-fresh"
    stale.write_bytes(b"never committed")
    fresh.write_bytes(b"in flight")
    two_hours_ago = time.time() - 7200
    for path in (orphan, stale, folder / kept.sha256[:2] / kept.sha256):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert files.sweep(datetime.timedelta(hours=1)) == 2
    assert files_on_disk() == sorted([f"{kept.sha256[:2]}/{kept.sha256}", "incoming/upload-fresh"])


@pytest.mark.parametrize("name, content", [
    ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("report.pdf", b"MZ\x90\x00 an executable"),
    ("minutes.docx", b"%PDF-1.4 not a document"),
    ("notes.txt", b"\x00\x01\x02 binary"),
])
def test_a_file_whose_content_does_not_match_its_name_is_refused(people, name, content):
    item = in_progress(people)
    with pytest.raises(Invalid) as refused:
        attach(people.handler, item, name=name, content=content)
    assert "file" in refused.value.fields
    assert files_on_disk() == []


def test_downloads_are_typed_by_the_checked_name_never_the_uploaders_claim(app, people):
    item = in_progress(people)
    png = attachments.add_attachment(people.handler, item, upload("图.png", b"\x89PNG\r\n\x1a\n....", "image/svg+xml"))
    txt = attachments.add_attachment(people.handler, item, upload("说明.txt", "会议纪要".encode(), "text/html"))
    with app.test_request_context():
        for attachment, expected in ((png, "image/png"), (txt, "text/plain; charset=utf-8")):
            response = attachments.download(people.handler, item, attachment.id)
            assert response.mimetype + ("; charset=utf-8" if "charset" in expected else "") == expected
            assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name", ["report\r\nX-Injected: 1.pdf", "invoice\u202efdp.exe.pdf", "nul\x00.pdf"])
def test_names_with_control_or_direction_characters_are_refused(people, name):
    item = in_progress(people)
    with pytest.raises(Invalid) as refused:
        attach(people.handler, item, name=name)
    assert "file" in refused.value.fields


def test_zero_width_characters_are_dropped_from_names(people):
    item = in_progress(people)
    assert attach(people.handler, item, name="佐证\u200b材料.pdf").original_name == "佐证材料.pdf"


def test_the_sweep_refuses_to_run_when_no_table_says_what_it_keeps(people, monkeypatch):
    """Without the features' declarations every stored file would look unused: nothing is removed."""
    from portal.kernel import hooks

    item = in_progress(people)
    kept = attach(people.handler, item)
    stored = files.upload_folder() / kept.sha256[:2] / kept.sha256
    two_hours_ago = time.time() - 7200
    os.utime(stored, (two_hours_ago, two_hours_ago))
    monkeypatch.setattr(hooks.files_kept, "_entries", {})
    with pytest.raises(RuntimeError):
        files.sweep(datetime.timedelta(hours=1))
    assert stored.is_file()
