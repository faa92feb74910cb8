"""Visibility, traffic lights in SQL and Python, list filters, boards, attachments."""

import datetime
import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from portal.calendar import add_working_days
from portal.items import attachments, queries, services, visibility
from portal.items.models import Item
from portal.items.queries import light_condition
from portal.kernel.clock import local_today
from portal.kernel.errors import Conflict, Invalid, NotFound
from tests.querycount import count_queries

from .conftest import act, attach, register

TODAY = local_today()


def started(people, **fields):
    item = act(people.supervisor, register(people.supervisor, **fields), "dispatch")
    return act(people.handler, item, "accept")


def test_a_handler_sees_only_their_departments_items(people):
    mine = register(people.supervisor)                                  # property leads, catering co-works
    other = register(people.supervisor, lead_department="culture", co_departments=[])
    child = services.add_child(people.supervisor, other, {"title": "子项", "source_type": "meeting",
                                                          "lead_department": "property",
                                                          "deadline": other.deadline.isoformat()})
    for item in (mine, other, child):  # handlers see items once dispatched
        act(people.supervisor, item, "dispatch")
    numbers = lambda user: {i.number for i in visibility.visible_items(user)}  # noqa: E731
    assert numbers(people.handler) == {mine.number, child.number}
    assert numbers(people.catering) == {mine.number}
    assert numbers(people.leader) == numbers(people.supervisor) == {mine.number, other.number, child.number}
    assert numbers(people.admin) == set()
    with pytest.raises(NotFound):
        services.get_visible(people.handler, other.number)
    with pytest.raises(NotFound):
        services.get_visible(people.handler, "DB-1999-0001")
    assert services.get_visible(people.handler, child.number).parent.title == other.title


def set_dates(item, **values):
    Item.update(**values).where(Item.id == item.id).execute()
    return Item.get_by_id(item.id)


def lights_in_sql(today):
    return {light: {i.id for i in queries.with_light(Item.select(), light, today)}
            for light in ("red", "yellow", "green", "on_time", "late")}


@pytest.mark.parametrize("policy", ["deadline", "share"])
def test_lights_agree_between_sql_and_python(people, app, policy):
    app.config["PORTAL"]["reminders"]["light_policy"] = policy
    boundary = add_working_days(TODAY, 3)
    items = [
        set_dates(started(people), deadline=TODAY - datetime.timedelta(days=1)),               # overdue
        set_dates(started(people), deadline=boundary),                                         # due soon
        set_dates(started(people), deadline=boundary + datetime.timedelta(days=1)),            # share: 4..
        set_dates(started(people), deadline=TODAY + datetime.timedelta(days=60)),              # far
        set_dates(started(people, feedback_cycle_days=7), deadline=TODAY + datetime.timedelta(days=60),
                  next_feedback_due=TODAY - datetime.timedelta(days=2)),                       # feedback late
        set_dates(started(people, feedback_cycle_days=7), deadline=TODAY + datetime.timedelta(days=60),
                  next_feedback_due=TODAY - datetime.timedelta(days=8)),                       # a cycle late
        set_dates(started(people), deadline=TODAY + datetime.timedelta(days=10),
                  dispatched_at=datetime.datetime.combine(TODAY - datetime.timedelta(days=90), datetime.time())),
        set_dates(register(people.supervisor), state="closed", closed_on_time=True),
        set_dates(register(people.supervisor), state="closed", closed_on_time=False),
        register(people.supervisor),                                                            # draft
    ]
    by_sql = lights_in_sql(TODAY)
    for item in items:
        python = queries.light_of(item, TODAY)
        assert {light for light, ids in by_sql.items() if item.id in ids} == ({python} if python else set())
    # By share, the item dispatched 90 days ago with 10 left is yellow; the ones dispatched today are not.
    expected = {"deadline": ["red", "yellow", "green", "green", "yellow", "red", "green", "on_time", "late", None],
                "share": ["red", "green", "green", "green", "yellow", "red", "yellow", "on_time", "late", None]}[policy]
    assert [queries.light_of(i, TODAY) for i in items] == expected


def test_light_policies_differ_where_expected(people, app):
    item = set_dates(started(people), deadline=TODAY + datetime.timedelta(days=10),
                     dispatched_at=datetime.datetime.combine(TODAY - datetime.timedelta(days=10), datetime.time()))
    assert queries.light_of(item, TODAY) == "green"
    app.config["PORTAL"]["reminders"]["light_policy"] = "share"
    app.config["PORTAL"]["reminders"]["share_threshold"] = 0.6
    assert queries.light_of(item, TODAY) == "yellow"
    assert Item.select().where(light_condition("yellow", TODAY)).count() == 1


def test_lights_never_crash_far_in_the_future(people):
    item = set_dates(started(people), deadline=datetime.date(2031, 1, 1))
    assert queries.light_of(item, datetime.date(2030, 12, 30)) == "yellow"
    assert lights_in_sql(datetime.date(2030, 12, 30))["yellow"] == {item.id}


def test_search_filters_and_paginates_with_a_fixed_number_of_queries(people):
    for n in range(5):
        register(people.supervisor, title=f"水电气暖收费制度改革 {n}", level="important" if n % 2 else "normal")
    register(people.supervisor, title="旧房出售", lead_department="culture", co_departments=["retirees"])
    rows, total = queries.search_items(people.leader, {"q": "收费", "level": "important"}, 1, 10)
    assert total == 2 and all("收费" in r.title for r in rows)
    rows, total = queries.search_items(people.leader, {"department": "retirees"})
    assert [r.title for r in rows] == ["旧房出售"] and rows[0].co_departments[0].code == "retirees"
    rows, total = queries.search_items(people.leader, {}, page=2, per_page=4)
    assert (len(rows), total) == (2, 6)
    assert queries.search_items(people.handler, {"q": "旧房"})[1] == 0
    assert queries.search_items(people.leader, {"light": "purple"})[1] == 0
    assert queries.search_items(people.leader, {"state": "draft", "sort": "-number"})[0][0].title == "旧房出售"
    with count_queries() as few:
        rows, _ = queries.search_items(people.leader, {}, 1, 2)
        [(r.lead_department.name, r.leader, r.supervisor, r.co_departments) for r in rows]
    with count_queries() as more:
        rows, _ = queries.search_items(people.leader, {}, 1, 6)
        [(r.lead_department.name, r.leader, r.supervisor, r.co_departments) for r in rows]
    assert len(few) == len(more) <= 6  # roles, count, the page's ids, its rows, co-departments (+ the user)


def test_boards_show_what_waits_for_each_role(people):
    draft = register(people.supervisor)
    waiting = act(people.supervisor, register(people.supervisor), "dispatch")
    late = set_dates(started(people), deadline=TODAY - datetime.timedelta(days=2))
    soon = set_dates(started(people), deadline=TODAY)
    attach(people.handler, soon)
    act(people.handler, soon, "request_closure", comment="完成")
    ids = lambda query: [i.id for i in query]  # noqa: E731
    assert ids(queries.drafts(people.supervisor)) == [draft.id]
    assert ids(queries.to_accept(people.handler)) == [waiting.id]
    assert ids(queries.red_items(people.leader, TODAY)) == [late.id]
    assert ids(queries.awaiting_review(people.supervisor)) == [soon.id]
    assert set(ids(queries.due_soon(people.handler, TODAY))) == {soon.id}
    assert queries.awaiting_my_approval(people.leader).count() == 0
    act(people.handler, late, "report", comment="x", progress=50)
    assert queries.feedback_overdue(people.handler, TODAY).count() == 0


def upload(user, item, name="证明.pdf", content=b"%PDF-1.4 evidence"):
    return attachments.add_attachment(user, Item.get_by_id(item.id), FileStorage(io.BytesIO(content), filename=name))


def test_attachments_are_stored_by_hash_and_checked(people, app, tmp_path):
    item = started(people)
    first = upload(people.handler, item, name="../../etc/passwd.pdf")
    second = upload(people.catering, item, name="copy.pdf")
    assert first.original_name == "passwd.pdf" and first.sha256 == second.sha256
    stored = list((tmp_path / "uploads").rglob("*"))
    assert [p.name for p in stored if p.is_file()] == [first.sha256]
    with pytest.raises(Invalid):
        upload(people.handler, item, name="run.exe")
    with pytest.raises(Invalid):
        upload(people.handler, item, name="empty.pdf", content=b"")
    app.config["PORTAL"]["uploads"]["max_bytes"] = 10
    with pytest.raises(Invalid) as err:
        upload(people.handler, item, name="big.pdf", content=b"x" * 11)
    assert "file" in err.value.fields
    with app.test_request_context():
        response = attachments.download(people.leader, item, first.id)
        response.direct_passthrough = False
        assert response.get_data() == b"%PDF-1.4 evidence"
        with pytest.raises(NotFound):
            attachments.download(people.culture, item, first.id)
    act(people.supervisor, item, "cancel", comment="撤销")
    with pytest.raises(Conflict):
        upload(people.handler, item)


def test_a_page_far_past_the_end_is_empty_not_an_error(people):
    mine = register(people.supervisor)
    assert queries.search_items(people.supervisor, {}, page=10**20, per_page=20) == ([], 1)
    rows, total = queries.search_items(people.supervisor, {}, page=1, per_page=20)
    assert [row.number for row in rows] == [mine.number] and total == 1


def test_text_search_finds_number_title_and_content_through_the_search_index(people):
    from portal.items.queries import filter_items
    from portal.kernel.db import database, is_postgres

    by_title = register(people.supervisor, title="水电气暖收费制度改革")
    by_content = register(people.supervisor, title="天然气接入", content="按新标准收费，做好解释工作")
    register(people.supervisor, title="旧房出售", content="完成率 50%")

    def found(q):
        return sorted(r.number for r in queries.search_items(people.leader, {"q": q})[0])

    assert found("收费") == sorted([by_title.number, by_content.number])
    assert found(by_content.number) == [by_content.number]
    assert found("100%") == [] and found("_") == []  # wildcards are literal
    assert found("水电") == [by_title.number]  # a two-character word inside a longer title
    # The filter looks words up in the search index (its unique index leads by token), not in every row.
    query = filter_items(Item.select(Item.id), {"q": "收费"})
    sql, params = query.sql()
    with database.atomic():
        if is_postgres():
            database.execute_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(str(row) for row in database.execute_sql(
            ("EXPLAIN " if is_postgres() else "EXPLAIN QUERY PLAN ") + sql, params))
    assert "search_token_token_kind_ref_id_field" in plan, plan


@pytest.mark.parametrize("frequent", [1, 10**6], ids=["words-checked-per-item", "words-listed"])
def test_a_text_search_finds_the_same_items_however_frequent_its_words(people, monkeypatch, frequent):
    """A frequent word is checked item by item, a rare one listed (search.index.containing): the two
    ways give the same items, totals and order."""
    from portal.search import index

    monkeypatch.setattr(index, "FREQUENT", frequent)
    for title in ("供暖收费改革", "供暖管网改造", "收费窗口调整", "食堂改造"):
        register(people.supervisor, title=title)
    rows, total = queries.search_items(people.leader, {"q": "供暖"})
    assert sorted(r.title for r in rows) == ["供暖收费改革", "供暖管网改造"] and total == 2
    rows, total = queries.search_items(people.leader, {"q": "供暖 收费"})
    assert [r.title for r in rows] == ["供暖收费改革"] and total == 1
    rows, total = queries.search_items(people.leader, {"q": "改造", "sort": "-number"})
    assert [r.title for r in rows] == ["食堂改造", "供暖管网改造"] and total == 2


@pytest.mark.parametrize("light", ["red", "yellow"])
def test_the_first_items_of_a_light_can_be_read_from_the_open_items_index(people, light):
    """Boards and lists ask for the first open items by deadline: the open items' own index (migration 14)
    answers that by reading a few entries. SQLite uses it only for statements that name the open states as
    it does (items.models.is_open): this guards that there, and the form of red's condition on both."""
    from portal.kernel.db import database, is_postgres

    query = queries.with_light(Item.select(Item.id), light).order_by(Item.deadline, Item.id).limit(8)
    sql, params = query.sql()
    with database.atomic():
        if is_postgres():  # (a test's few items are cheaper read whole: make the planner show what it can do)
            database.execute_sql("SET LOCAL enable_seqscan = off")
            database.execute_sql("SET LOCAL enable_sort = off")
            plan = "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
        else:  # SQLite refuses a statement that the index it is told to use cannot answer
            forced = sql.replace('FROM "item" AS "t1"', 'FROM "item" AS "t1" INDEXED BY item_open_deadline', 1)
            plan = "\n".join(row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + forced, params))
    assert "item_open_deadline" in plan, plan


def test_the_open_items_index_holds_the_open_states_of_today(people):
    """Migration 14 wrote the open states into the index as they were; a change of OPEN_STATES needs a new
    migration (a database made before it would keep the old condition, and SQLite would stop using it)."""
    from portal.items.models import OPEN_STATES, OPEN_STATES_SQL
    from portal.kernel.db import database, is_postgres

    if is_postgres():
        (definition,) = database.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'item_open_deadline'").fetchone()
        assert re.findall(r"'(\w+)'", definition.split(" WHERE ", 1)[1]) == list(OPEN_STATES), definition
    else:
        (definition,) = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'item_open_deadline'").fetchone()
        assert definition.endswith(f"WHERE state IN {OPEN_STATES_SQL}"), definition
