"""XLSX exports reopened with openpyxl: the item list as filtered, the statistics; bounded memory."""

import datetime
import io
import re
import tracemalloc

import openpyxl

from portal.items.models import Item
from portal.reports import exports

from .conftest import at, d
from .test_pages import MARCH


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def test_the_item_list_exports_as_filtered_with_typed_columns(sign_in, in_april):
    client = sign_in("supervisor")
    book = workbook(client.get("/items/export.xlsx?department=property&state=closed&sort=deadline"))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "标题", "来源", "级别", "主办部门")
    titles = [row[1] for row in rows[1:]]
    assert titles == ["事项G", "事项B", "事项A", "事项C"]  # property's closed items by deadline
    g = rows[1]
    assert g[8] == datetime.datetime(2025, 3, 10)  # the deadline, a date cell (openpyxl reads dates as datetimes)
    assert sheet.cell(row=2, column=9).number_format == "yyyy-mm-dd"
    assert g[9] == "已办结" and g[11] == 1 and sheet.cell(row=2, column=12).number_format == "0.0%"
    assert g[12] == datetime.datetime(2025, 2, 24, 10, 0)  # dispatched, Shanghai time
    assert rows[3][15] == 4 and rows[4][14] == 1  # A rated 4; C extended once
    assert sheet.column_dimensions["B"].width == 40
    # The list page links to the export with its filters.
    page = client.get("/items?department=property&state=closed").get_data(as_text=True)
    assert "/items/export.xlsx?state=closed&amp;department=property" in page


def test_a_handler_exports_only_what_they_may_see(sign_in, in_april):
    book = workbook(sign_in("catering").get("/items/export.xlsx"))
    assert [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["事项F"]


def test_the_statistics_export(sign_in, in_april):
    book = workbook(sign_in("leader").get(f"/stats/export.xlsx?{MARCH}"))
    figures, trends, definitions = book.worksheets
    header = [cell.value for cell in figures[1]]
    assert header[:5] == ["部门", "交办数", "办结数", "按期办结", "按时办结率"]
    rows = {row[0]: row for row in figures.iter_rows(min_row=2, values_only=True)}
    property_row = rows["物业服务中心"]
    assert property_row[1:5] == (6, 4, 3, 0.75) and property_row[-1] == "骏马奖"
    assert rows["文体新闻中心"][-1] == "蜗牛奖" and rows["文体新闻中心"][4] is None
    assert figures.cell(row=2, column=5).number_format == "0.0%"  # property, ranked first
    assert figures.freeze_panes == "A2"
    assert list(trends.iter_rows(min_row=13, values_only=True))[0] == ("2025-03", 9, 5, 4, 0.8)
    assert "2025-03-01" in definitions.cell(row=2, column=1).value


def test_exports_check_their_input_and_permissions(sign_in, in_april, app):
    client = sign_in("handler")
    assert client.get("/stats/export.xlsx?from=2025-03-01&to=x").status_code == 422
    sheet = workbook(client.get(f"/stats/export.xlsx?{MARCH}")).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["物业服务中心"]


def test_stats_export_is_refused_to_other_roles(app, history, sign_in):
    with at(d(4, 10)):
        assert sign_in("admin").get(f"/stats/export.xlsx?{MARCH}").status_code == 403


def test_export_memory_does_not_grow_with_the_rows(app, people, monkeypatch):
    """Write-only streaming in chunks: peak memory for 4,000 rows is that for 1,000 (chunks of 250)."""
    monkeypatch.setattr(exports, "CHUNK", 250)
    supervisor = people.supervisor

    def fill(n, start):
        rows = [{"number": f"DB-2020-{start + i:05d}", "title": f"批量事项{start + i}" * 3, "content": "",
                 "source_type": "meeting", "level": "normal", "lead_department": supervisor.department_id,
                 "created_by": supervisor.id, "deadline": datetime.date(2026, 1, 1), "state": "draft"}
                for i in range(n)]
        for i in range(0, n, 500):
            Item.insert_many(rows[i:i + 500]).execute()

    def peak():
        with app.test_request_context():
            exports.items_workbook(supervisor, {}).close()  # warm up: translations, styles
            tracemalloc.start()
            handle = exports.items_workbook(supervisor, {})
            _current, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows = sum(1 for _row in openpyxl.load_workbook(handle, read_only=True).worksheets[0].iter_rows()) - 1
            handle.close()
        return top, rows

    fill(1000, 0)
    small, small_rows = peak()
    fill(3000, 1000)
    large, large_rows = peak()
    assert (small_rows, large_rows) == (1000, 4000)
    assert large < small * 1.2, (small, large)


def test_every_sort_of_the_list_exports_in_the_same_order(sign_in, in_april, monkeypatch):
    """The export continues chunk after chunk by the list's own sort keys (keyset): every sort, same rows."""
    from portal.items.queries import SORTS

    assert set(exports.KEYSET) == set(SORTS)
    monkeypatch.setattr(exports, "CHUNK", 2)  # several chunks even for this small history
    client = sign_in("supervisor")
    for sort in SORTS:
        page = client.get(f"/items?sort={sort}").get_data(as_text=True)
        listed = re.findall(r'<td class="title"><a href="[^"]+">([^<]+)</a>', page)
        book = workbook(client.get(f"/items/export.xlsx?sort={sort}"))
        exported = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
        assert exported == listed and len(exported) == 11, sort


HOSTILE_TITLES = ['=HYPERLINK("http://evil.example/x","点击查看")', "=cmd|' /C calc'!A0", "=1+1"]


def test_a_title_beginning_with_equals_is_exported_as_text_never_a_formula(sign_in, in_april):
    """Formula injection (issue 21.4): every text cell of every XLSX the portal writes is typed text."""
    from portal.auth.models import Department
    from portal.items import services

    from .conftest import People

    people = People()
    for title in HOSTILE_TITLES:
        services.create_item(people.supervisor, {
            "title": title, "source_type": "meeting", "level": "normal", "lead_department": "property",
            "co_departments": [], "supervisor": "supervisor", "deadline": "2025-04-30"})
    Department.update(name="=cmd|' /C calc'!A0").where(Department.code == "property").execute()
    client = sign_in("supervisor")
    book = workbook(client.get("/items/export.xlsx?state=draft"))
    cells = {sheet_cell.value: sheet_cell for row in book.worksheets[0].iter_rows(min_row=2)
             for sheet_cell in row[1:2]}
    for title in HOSTILE_TITLES:
        assert cells[title].data_type == "s" and cells[title].value == title
    department = book.worksheets[0].cell(row=2, column=5)
    assert (department.value, department.data_type) == ("=cmd|' /C calc'!A0", "s")
    stats = workbook(client.get(f"/stats/export.xlsx?{MARCH}")).worksheets[0]
    names = [row[0] for row in stats.iter_rows(min_row=2)]
    hostile = [cell for cell in names if cell.value == "=cmd|' /C calc'!A0"]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
    # No sheet of either file holds a formula at all.
    for response in (client.get("/items/export.xlsx"), client.get(f"/stats/export.xlsx?{MARCH}")):
        for sheet in workbook(response).worksheets:
            assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"], sheet.title


def test_the_list_api_and_export_put_open_items_first_by_light_then_deadline(app, sign_in, in_april):
    """Issue 20.9: by default red, yellow, green (by deadline within each), drafts, closed and cancelled last."""
    from portal.items.queries import light_of

    client = sign_in("supervisor")
    items = {item.number: item for item in Item.select()}
    rank = {"red": 0, "yellow": 1, "green": 2}

    def key(number):
        item = items[number]
        light = light_of(item, datetime.date(2025, 4, 10))
        return (rank.get(light, 3 if item.state not in ("closed", "cancelled") else 4), item.deadline, item.id)

    with app.app_context():
        expected = sorted(items, key=key)
    assert [items[n].state for n in expected[-6:]].count("closed") == 5 and items[expected[-1]].state in (
        "closed", "cancelled")
    with app.app_context():
        assert light_of(items[expected[0]], datetime.date(2025, 4, 10)) == "red"
    api = client.get("/api/v1/items?per_page=100").get_json()["items"]
    assert [row["number"] for row in api] == expected
    page = client.get("/items").get_data(as_text=True)
    assert re.findall(r'<td class="number">([^<]+)</td>', page) == expected
    book = workbook(client.get("/items/export.xlsx"))
    assert [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == expected
    # An explicit sort is kept as it was.
    by_deadline = client.get("/api/v1/items?per_page=100&sort=deadline").get_json()["items"]
    assert [row["number"] for row in by_deadline] == sorted(items, key=lambda n: (items[n].deadline, items[n].id))
