"""Import of the year's key tasks from the template: good and bad rows, twice; bad files refused whole."""

import datetime
import io
import re
import resource
import time
import zipfile

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
        ["食堂改造", "", "", "", "", "catering", "", "", "", f"{LATER.year}/{LATER.month}/{LATER.day}", None],  # 10
        ["班车线路调整", "", "", "", "", "commute", "", "", "",
         f"{LATER.year}年{LATER.month}月{LATER.day}日", None],                                 # 11: 年月日 text
        ["活动中心维修", "", "", "", "", "culture", "", "", "", f"{LATER.year}.{LATER.month}.{LATER.day}", None],  # 12
        ["退休活动", "", "", "", "", "retirees", "", "", "", "下个月底", None],               # 13: not a date
        ["档案整理", "", "", "", "", "office", "", "", "", f"{LATER.year}-02-30", None],       # 14: no such day
    ]
    for row in rows:
        sheet.append(row)
    return as_bytes(book)


def report(client, response):
    assert response.status_code == 202, response.get_data(as_text=True)
    state = client.get(f"/api/v1/jobs/{response.get_json()['job']}").get_json()
    assert state["state"] == "finished" and state["progress"] == 100
    assert (state["download"] is None) == (not state["result"]["rejected"])
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
    assert [r["row"] for r in first["created"]] == [2, 4, 6, 10, 11, 12]  # 4, 10-12: dates typed as text
    rejected = {r["row"]: r["errors"] for r in first["rejected"]}
    assert sorted(rejected) == [3, 5, 7, 8, 9, 13, 14]
    assert rejected[3] == {"主办部门": "没有名为“不存在中心”的部门。"}
    assert rejected[13] == {"办理期限": "“下个月底”不是日期：请写成 2026-12-31、2026/12/31 或 2026年12月31日 的形式。"}
    assert rejected[14] == {"办理期限": f"“{LATER.year}-02-30”不是日期：请写成 2026-12-31、2026/12/31 或 2026年12月31日 的形式。"}
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
        for row in first["created"][1:]:
            if row["row"] != 6:
                assert Item.get(Item.number == row["item"]).deadline == LATER, row
        count = Item.select().count()
    second = report(supervisor, upload(supervisor, data))
    assert second["created"] == [] and second["skipped"] == first["created"]
    assert sorted(r["row"] for r in second["rejected"]) == [3, 5, 7, 8, 9, 13, 14]
    with app.app_context(), database.connection_context():
        assert Item.select().count() == count


def test_the_page_uploads_and_shows_the_row_report(supervisor):
    assert "导入重点工作" in supervisor.get("/items").get_data(as_text=True)
    response = supervisor.post("/items/import", data={"file": (io.BytesIO(filled(supervisor)), "tasks.xlsx"),
                                                      "csrf_token": csrf_token(supervisor, "/items/import")},
                               content_type="multipart/form-data")
    assert response.status_code == 303
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "新建草稿 6 项" in page and "未导入 7 行" in page and "没有名为“不存在中心”的部门。" in page
    assert re.search(r'<tr class="rejected"><td>3</td>', page)


def protected_workbook():
    """What Excel writes for a workbook with a password to open: an OLE2 container, not a zip."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + b"EncryptionInfo" + b"\0" * 1024


def huge_sheet(client):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("重点工作")
    sheet.append([cell.value for cell in template(client).worksheets[0][1]])
    for n in range(2_500):  # more than MAX_ROWS (a sheet too big to unpack is refused before: test_hostile)
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


# --- hostile workbooks (issue 21.3): refused before they are read, quickly, in bounded memory ------------

def _rewrite(data, changes):
    """``data`` (an XLSX) with members rewritten: {name: function(text) -> text}."""
    source, output = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename in changes:
                content = changes[member.filename](content.decode()).encode()
            target.writestr(member.filename, content)
    return output.getvalue()


def far_cell(client, row, dimension=None):
    """The template with one task in row 2 and one cell in ``row``, the sheet claiming ``dimension``."""
    book = template(client)
    sheet = book.worksheets[0]
    sheet.append(["某事", "", "", "", "", "property"])
    sheet.cell(row=row, column=1, value="远处的单元格")
    data = as_bytes(book)
    if dimension:
        data = _rewrite(data, {"xl/worksheets/sheet1.xml":
                               lambda xml: re.sub(r'<dimension ref="[^"]+"', f'<dimension ref="{dimension}"', xml)})
    return data


def one_huge_string(client, megabytes):
    """The template whose row 2 title is one string of ``megabytes`` MB, written in chunks."""
    book = template(client)
    book.worksheets[0].append(["PLACEHOLDER", "", "", "", "", "property"])
    source, output = zipfile.ZipFile(io.BytesIO(as_bytes(book))), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename != "xl/worksheets/sheet1.xml":
                target.writestr(member.filename, content)
                continue
            head, _sep, tail = content.decode().partition("PLACEHOLDER")
            assert tail
            with target.open(member.filename, "w", force_zip64=True) as stream:
                stream.write(head.encode())
                chunk = b"A" * (1 << 20)
                for _n in range(megabytes):
                    stream.write(chunk)
                stream.write(tail.encode())
    return output.getvalue()


def refused_quickly(client, data, message):
    """Uploaded, ``data`` is refused with 422 and ``message`` within 3 s, the process growing < 60 MB."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    started = time.process_time()
    response = upload(client, data)
    elapsed = time.process_time() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code == 422, response.get_data(as_text=True)
    assert message in response.get_json()["error"]["fields"]["file"]
    assert elapsed < 3, elapsed
    assert grown < 60, grown


def test_a_sheet_claiming_a_huge_dimension_is_refused_from_its_real_cells(app, supervisor):
    """7 KB claiming A1:XFD100000 with one cell in row 100,000 (49 s of CPU before): the real cells count."""
    data = far_cell(supervisor, 100_000, "A1:XFD100000")
    assert len(data) < 20_000
    refused_quickly(supervisor, data, "第 100000 行有内容：任务行须在前 20000 行之内")
    refused_quickly(supervisor, far_cell(supervisor, 300_000), "第 300000 行有内容")
    with app.app_context(), database.connection_context():
        assert Item.select().count() == 0


def test_blank_rows_and_a_false_dimension_do_not_stop_a_good_file(app, supervisor):
    """The same claimed dimension with the cell in row 40 (blank rows between): imported, two drafts."""
    result = report(supervisor, upload(supervisor, far_cell(supervisor, 40, "A1:XFD100000")))
    assert [r["row"] for r in result["created"]] == [2]
    assert [r["row"] for r in result["rejected"]] == [40]  # no lead department


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, supervisor):
    """A small file holding one string of 600 MB (1.9 GB of memory before): refused by its zip's sizes."""
    data = one_huge_string(supervisor, 600)
    assert len(data) < 4_000_000
    refused_quickly(supervisor, data, "解压后有 600.")


def test_a_cell_longer_than_excel_allows_is_refused(app, supervisor):
    """openpyxl itself writes at most 32,767 characters: the sheet is written by hand, in words that do not
    compress away (a 40,000-character title)."""
    import random

    book = template(supervisor)
    book.worksheets[0].append(["PLACEHOLDER", "", "", "", "", "property"])
    text = "".join(random.Random(1).choice("abcdefghijklmnopqrstuvwxyz") for _n in range(40_000))
    data = _rewrite(as_bytes(book), {"xl/worksheets/sheet1.xml": lambda xml: xml.replace("PLACEHOLDER", text)})
    refused_quickly(supervisor, data, "第 2 行有单元格超过 32767 个字符")


def test_the_rejected_rows_come_back_as_a_workbook_that_imports_again(app, supervisor):
    """The rows not imported, as the template's columns and a 原因 column; fixed, the same file imports."""
    response = upload(supervisor, filled(supervisor))
    state = supervisor.get(f"/api/v1/jobs/{response.get_json()['job']}").get_json()
    download = supervisor.get(state["download"])
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(download.get_data()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [c.value for c in template(supervisor).worksheets[0][1]]
    assert list(rows[0]) == header + ["原因"]
    assert [row[0] for row in rows[1:]] == ["旧街区关闭", "=A2", None, "水电气暖收费改革", "幼教中心扩建", "退休活动",
                                            "档案整理"]
    assert sheet["A3"].data_type == "s"  # the formula came back as text
    assert rows[1][11] == "主办部门：没有名为“不存在中心”的部门。"
    assert rows[1][9] == datetime.datetime.combine(LATER, datetime.time())  # a date stays a date
    assert rows[6][9] == "下个月底"
    page = supervisor.get(f"/reports/jobs/{response.get_json()['job']}").get_data(as_text=True)
    assert state["download"] in page and "下载未导入的行" in page
    # Fixed, the file imports again: the department named, the date written out.
    sheet["F2"], sheet["J7"], sheet["J8"] = "property", LATER, f"{LATER.year}年{LATER.month}月{LATER.day}日"
    again = report(supervisor, upload(supervisor, as_bytes(book)))
    assert [r["row"] for r in again["created"]] == [2, 7, 8]
    assert [r["row"] for r in again["rejected"]] == [3, 4, 5, 6]  # "=A2" as text is still refused
