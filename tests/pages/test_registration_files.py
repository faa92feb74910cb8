"""Files attached at registration (/items/new): received and kept as other uploads are, in the new
item's transaction; a refused file or a bad field keeps nothing (issue 20, point 14)."""

import io

from portal.items.models import Attachment, Item, ItemEvent
from portal.kernel import files
from portal.kernel.db import database
from tests.conftest import csrf_token

FIELDS = {"title": "旧房出售", "source_type": "instruction", "lead_department": "property", "content": "要求"}


def _stored():
    folder = files.upload_folder()
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_registration_form_takes_files(sign_in, demo):
    form = sign_in("supervisor").get("/items/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file" id="attachments" name="attachments"' in form and 'multiple="multiple"' in form
    label = form[form.index('<label for="attachments">'):]
    assert 'class="required"' not in label[:label.index("</label>")]  # optional: no * marker


def test_files_attached_at_registration_are_the_items(sign_in, demo, app):
    client = sign_in("supervisor")
    response = client.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/items/new"), **FIELDS,
        "attachments": [(io.BytesIO(b"%PDF-1.4 notice"), "会议纪要.pdf"), (io.BytesIO(b"plain text"), "说明.txt")]})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "会议纪要.pdf" in page and "说明.txt" in page
    with app.app_context(), database.connection_context():
        item = Item.get(Item.title == "旧房出售")
        names = sorted(a.original_name for a in Attachment.select().where(Attachment.item == item.id))
        assert names == ["会议纪要.pdf", "说明.txt"]
        assert ItemEvent.select().where(ItemEvent.item == item.id, ItemEvent.action == "attach").count() == 2
        assert len(_stored()) == 2  # in the store, nothing left in incoming/


def test_a_refused_file_or_field_keeps_nothing(sign_in, demo, app):
    client = sign_in("supervisor")
    token = csrf_token(client, "/items/new")
    refused = client.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": token, **FIELDS,
        "attachments": [(io.BytesIO(b"%PDF-1.4 fine"), "好的.pdf"), (io.BytesIO(b"MZ\x90"), "病毒.exe")]})
    assert refused.status_code == 422 and 'id="attachments-error"' in refused.get_data(as_text=True)
    bad_field = client.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": token, **FIELDS, "title": "",
        "attachments": [(io.BytesIO(b"%PDF-1.4 fine"), "好的.pdf")]})
    assert bad_field.status_code == 422 and 'id="title-error"' in bad_field.get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert not Item.select().where(Item.title == "旧房出售").exists()
        assert Attachment.select().count() == 0
        assert _stored() == []  # neither the good file nor the refused one is kept or left in incoming/


def test_no_file_chosen_registers_as_before(sign_in, demo, app):
    client = sign_in("supervisor")
    response = client.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/items/new"), **FIELDS, "attachments": [(io.BytesIO(b""), "")]})
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        assert Item.get(Item.title == "旧房出售").attachments.count() == 0


def test_the_text_of_a_file_attached_at_registration_is_searchable(sign_in, demo, app):
    from tests.kb.conftest import docx_bytes
    from tests.search.test_sources import ids

    client = sign_in("supervisor")
    response = client.post("/items/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/items/new"), **FIELDS,
        "attachments": [(io.BytesIO(docx_bytes("已完成房屋测绘。")), "报告.docx")]})
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        item = Item.get(Item.title == "旧房出售")
        assert [a.extract_status for a in Attachment.select().where(Attachment.item == item.id)] == ["done"]
    assert ids(client, "测绘") == [("item", item.number)]  # only the file says it
