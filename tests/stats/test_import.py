"""Import of the year's key tasks from the template: good and bad rows, twice; bad files refused whole."""

import datetime
import io
import re

import openpyxl
import pytest
from openpyxl import Workbook

from portal.items.models import Item, ItemCoDepartment
from portal.kernel.clock import local_today
from portal.kernel.db import database
from tests.conftest import csrf_token

LATER = local_today() + datetime.timedelta(days=60)


@pytest.fixture
def supervisor(sign_in, demo):
    return sign_in("supervisor")


def template(client):
    response = client.get("/items/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def as_bytes(book):
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client, data, name="重点工作.xlsx"):
    return client.post("/api/v1/imports/key-tasks", data={"file": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": csrf_token(client, "/")}, content_type="multipart/form-data")


def filled(client):
    book = template(client)
    sheet = book.worksheets[0]
    rows = [
        ["供暖接入市网", "完成一期管网接入", "", "2026年职代会", "重大", "物业服务中心", "餐饮服务中心、commute", "王建国",
         "", LATER, 30],                                                                       # 2: good
        ["旧街区关闭", "", "", "", "", "不存在中心", "", "", "", LATER, None],                  # 3: unknown department
        ["天然气接入", "", "", "", "", "property", "", "", "", LATER.isoformat(), None],       # 4: date typed as text
        ["=A2", "", "", "", "", "property", "", "", "", LATER, None],                           # 5: a formula
        ["旧房出售", "", "会议决策", "", "一般", "culture", "", "leader", "supervisor", LATER, 0],  # 6: good
        ["", "没有标题", "", "", "", "property", "", "", "", LATER, None],                      # 7: no title
        ["水电气暖收费改革", "", "", "", "", "property", "", "", "", datetime.date(2020, 1, 1), None],  # 8: past
        ["幼教中心扩建", "", "", "", "特急", "kindergarten", "", "张三", "", LATER, None],     # 9: bad level, leader
    ]
    for row in rows:
        sheet.append(row)
    return as_bytes(book)


def report(client, response):
    assert response.status_code == 202, response.get_data(as_text=True)
    state = client.get(f"/api/v1/jobs/{response.get_json()['job']}").get_json()
    assert state["state"] == "finished" and state["progress"] == 100 and state["download"] is None
    return state["result"]


def test_the_template_explains_the_columns_and_lists_the_valid_values(supervisor):
    book = template(supervisor)
    tasks, guide = book.worksheets
    assert [c.value for c in tasks[1]][:3] == ["标题", "督办要求", "来源"] and tasks.freeze_panes == "A2"
    text = "\n".join(f"{a} {b}" for a, b in guide.iter_rows(values_only=True))
    assert "物业服务中心 property" in text and "王建国 leader" in text and "重大 major" in text
    assert "年度重点工作 key_task" in text


def test_good_rows_become_drafts_bad_rows_are_reported_and_twice_creates_nothing(app, supervisor):
    data = filled(supervisor)
    first = report(supervisor, upload(supervisor, data))
    assert [r["row"] for r in first["created"]] == [2, 6]
    rejected = {r["row"]: r["errors"] for r in first["rejected"]}
    assert sorted(rejected) == [3, 4, 5, 7, 8, 9]
    assert rejected[3] == {"主办部门": "没有名为“不存在中心”的部门。"}
    assert rejected[4] == {"办理期限": f"“{LATER.isoformat()}”是文本而不是日期：请把单元格设为日期格式（如 2026-12-31）。"}
    assert rejected[5] == {"标题": "不接受公式：请直接填写数值或文字。"}
    assert rejected[7] == {"标题": "此项为必填项。"}  # the registration form's own check
    assert rejected[8] == {"办理期限": "办结时限不能早于今天。"}
    assert rejected[9] == {"级别": "“特急”不是填写说明中列出的取值。", "领导": "没有名为“张三”的在职领导。"}
    with app.app_context(), database.connection_context():
        heating = Item.get(Item.number == first["created"][0]["item"])
        assert (heating.title, heating.state, heating.source_type, heating.level) == ("供暖接入市网", "draft", "key_task",
                                                                                     "major")
        assert heating.deadline == LATER and heating.leader.username == "leader"
        assert heating.feedback_cycle_days == 30 and heating.supervisor.username == "supervisor"
        co = {r.department.code for r in ItemCoDepartment.select().where(ItemCoDepartment.item == heating.id)}
        assert co == {"catering", "commute"}
        count = Item.select().count()
    second = report(supervisor, upload(supervisor, data))
    assert second["created"] == [] and second["skipped"] == first["created"]
    assert sorted(r["row"] for r in second["rejected"]) == [3, 4, 5, 7, 8, 9]
    with app.app_context(), database.connection_context():
        assert Item.select().count() == count


def test_the_page_uploads_and_shows_the_row_report(supervisor):
    assert "导入重点工作" in supervisor.get("/items").get_data(as_text=True)
    response = supervisor.post("/items/import", data={"file": (io.BytesIO(filled(supervisor)), "tasks.xlsx"),
                                                      "csrf_token": csrf_token(supervisor, "/items/import")},
                               content_type="multipart/form-data")
    assert response.status_code == 303
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "新建草稿 2 项" in page and "未导入 6 行" in page and "没有名为“不存在中心”的部门。" in page
    assert re.search(r'<tr class="rejected"><td>3</td>', page)


def protected_workbook():
    """What Excel writes for a workbook with a password to open: an OLE2 container, not a zip."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + b"EncryptionInfo" + b"\0" * 1024


def huge_sheet(client):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("重点工作")
    sheet.append([cell.value for cell in template(client).worksheets[0][1]])
    for n in range(100_000):
        sheet.append([f"事项{n}", "", "", "", "", "property"])
    return as_bytes(book)


def merged(client):
    book = template(client)
    sheet = book.worksheets[0]
    sheet.append(["合并的标题", "", "", "", "", "property"])
    sheet.merge_cells("A2:B2")
    return as_bytes(book)


def wrong_header():
    book = Workbook()
    book.active.append(["名称", "部门"])
    book.active.append(["某事", "property"])
    return as_bytes(book)


@pytest.mark.parametrize("make, message", [
    (lambda c: b"", "文件为空"),
    (lambda c: "标题,主办部门\n某事,property\n".encode(), "不是 Excel .xlsx 文件"),
    (lambda c: b"PK\x03\x04 not really a zip", "不是 Excel .xlsx 文件"),
    (lambda c: protected_workbook(), "密码"),
    (huge_sheet, "超过 2000 行"),
    (merged, "合并单元格（A2:B2）"),
    (lambda c: wrong_header(), "第 1 列的标题应为“标题”"),
    (lambda c: as_bytes(template(c)), "没有任务行"),
])
def test_bad_files_are_refused_whole_with_a_clear_message(app, supervisor, make, message):
    response = upload(supervisor, make(supervisor))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert message in error["fields"]["file"], error
    with app.app_context(), database.connection_context():
        assert Item.select().count() == 0


@pytest.mark.parametrize("username", ["handler", "leader", "admin"])
def test_only_supervisors_import(sign_in, demo, username):
    client = sign_in(username)
    assert client.get("/items/import/template.xlsx").status_code == 403
    assert client.get("/items/import").status_code == 403
    assert upload(client, b"x").status_code == 403
