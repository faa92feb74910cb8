"""Search: Chinese words inside sentences on both databases, ranking, escaped snippets, visibility."""

import pytest

from portal.kernel.db import database
from portal.search.models import SearchToken
from tests.kb.conftest import write_article


def _search(client, q, **args):
    response = client.get("/api/v1/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_two_character_word_inside_a_sentence_is_found_in_items_and_articles(work, sign_in, demo):
    item = work.register(title="冬季保障", content="今年冬季供暖期提前开始，居民燃气费用同步调整。")
    write_article(sign_in("supervisor"), title="收费办法", body="关于天然气接入后燃气收费的说明。")
    supervisor = sign_in("supervisor")
    found = _search(supervisor, "燃气")
    assert found["total"] == 2
    assert {(r["kind"], r["id"]) for r in found["results"]} >= {("item", item.number)}
    heating = _search(supervisor, "供暖")
    assert [r["id"] for r in heating["results"]] == [item.number]
    assert "<mark>供暖</mark>" in heating["results"][0]["snippet"]
    assert _search(supervisor, "网络")["total"] == 0


def test_title_hits_come_first_and_snippets_are_escaped_then_marked(work, sign_in, demo):
    in_body = work.register(title="年度重点工作",
                       content="<script>alert(1)</script> 推进供暖接入市网 & 旧街区关闭")
    in_title = work.register(title="供暖接入市网", content="按计划推进")
    results = _search(sign_in("leader"), "供暖")["results"]
    assert [r["id"] for r in results] == [in_title.number, in_body.number]
    snippet = results[1]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<mark>供暖</mark>" in snippet and "&amp; 旧街区" in snippet
    page = sign_in("leader").get("/search?q=供暖").get_data(as_text=True)
    assert page.index(in_title.number) < page.index(in_body.number)
    assert "<mark>供暖</mark>接入市网" in page and "<script>alert(1)" not in page


def test_event_comments_are_searchable_once_written(work, sign_in, demo):
    item = work.register(title="旧房出售", lead_department="property")
    item = work.act("supervisor", item, "dispatch")
    item = work.act("handler", item, "accept")
    assert _search(sign_in("supervisor"), "测绘")["total"] == 0
    work.act("handler", item, "report", comment="已完成房屋测绘，正在评估。", progress=30)
    result = _search(sign_in("supervisor"), "测绘")
    assert result["total"] == 1 and "<mark>测绘</mark>" in result["results"][0]["snippet"]


def test_a_handler_never_finds_another_departments_item_not_even_in_a_count(work, sign_in, demo):
    theirs = work.register(title="餐饮供暖保障", lead_department="catering", co_departments=[])
    work.act("supervisor", theirs, "dispatch")
    ours = work.register(title="物业供暖保障", lead_department="property", co_departments=[])
    draft = work.register(title="物业供暖草稿", lead_department="property", co_departments=[])
    work.act("supervisor", ours, "dispatch")
    handler = sign_in("handler")
    found = _search(handler, "供暖")
    assert found["total"] == 1 and [r["id"] for r in found["results"]] == [ours.number]
    page = handler.get("/search?q=供暖").get_data(as_text=True)
    assert theirs.number not in page and draft.number not in page and "餐饮" not in page
    assert "共 1 条结果" in page or "1 results" in page
    assert _search(sign_in("catering"), "餐饮")["total"] == 1
    assert _search(sign_in("supervisor"), "供暖")["total"] == 3
    # The item list's text filter uses the same index and the same visibility.
    assert handler.get("/api/v1/items?q=供暖").get_json()["total"] == 1


def test_drafts_are_found_by_their_author_only_and_kind_filters(work, sign_in, demo):
    write_article(sign_in("supervisor"), title="燃气管理草稿", status="draft")
    item = work.register(title="燃气接入")
    assert _search(sign_in("admin"), "燃气")["total"] == 0  # admin sees no items and not the draft
    assert _search(sign_in("supervisor"), "燃气")["total"] == 2
    assert [r["kind"] for r in _search(sign_in("supervisor"), "燃气", kind="item")["results"]] == ["item"]
    assert _search(sign_in("supervisor"), "燃气", kind="article")["results"][0]["title"] == "燃气管理草稿"
    assert _search(sign_in("leader"), "燃气")["total"] == 1
    assert item.number


def test_bad_queries_get_a_clear_answer(sign_in, demo):
    client = sign_in("handler")
    assert client.get("/api/v1/search?q=").status_code == 422
    assert client.get("/api/v1/search?q=x&kind=memo").status_code == 422  # petition and finding are kinds now
    long = client.get("/api/v1/search", query_string={"q": "供" * 101})
    assert long.status_code == 422 and "q" in long.get_json()["error"]["fields"]
    assert client.get("/search?q=" + "供" * 101).status_code == 422
    assert _search(client, "%_'\"<>")["total"] == 0
    assert client.get("/search").status_code == 200


def test_every_page_has_the_search_box(sign_in, demo):
    for path in ("/", "/kb", "/notifications"):
        page = sign_in("handler").get(path).get_data(as_text=True)
        assert 'class="header-search"' in page and 'name="q"' in page


def test_kb_reindex_rebuilds_the_index(work, sign_in, demo, app, runner):
    work.register(title="天然气接入")
    write_article(sign_in("supervisor"), title="燃气安全", body="天然气管道")
    with app.app_context(), database.connection_context():
        before = SearchToken.select().count()
        SearchToken.delete().execute()
    assert _search(sign_in("supervisor"), "天然气")["total"] == 0
    result = runner.invoke(args=["kb-reindex"])
    assert result.exit_code == 0 and "item indexed: 1" in result.output and "article indexed: 1" in result.output
    with app.app_context(), database.connection_context():
        assert SearchToken.select().count() == before
    assert _search(sign_in("supervisor"), "天然气")["total"] == 2


def test_pages_of_results_and_past_the_end(work, sign_in, demo):
    numbers = [work.register(title=f"燃气管网改造第{i}期").number for i in range(25)]
    client = sign_in("supervisor")
    first = _search(client, "燃气")
    second = client.get("/api/v1/search?q=燃气&page=2").get_json()
    assert first["total"] == second["total"] == 25
    assert len(first["results"]) == 20 and len(second["results"]) == 5
    assert {r["id"] for r in first["results"] + second["results"]} == set(numbers)
    beyond = client.get("/api/v1/search?q=燃气&page=9").get_json()
    assert beyond["total"] == 25 and beyond["results"] == []


def test_a_search_counts_to_a_cap_and_ranks_every_match_once(work, sign_in, demo, monkeypatch):
    from portal.search import services as service

    in_body = [work.register(title=f"管网改造第{i}期", content="更换燃气管道").number for i in range(3)]
    in_both = work.register(title="燃气管网改造", content="燃气入户检查").number
    in_title = [work.register(title=f"燃气安全第{i}期", content="入户检查").number for i in range(2)]
    write_article(sign_in("supervisor"), title="燃气收费办法", body="燃气价格调整。")
    client = sign_in("supervisor")
    exact = _search(client, "燃气")
    assert exact["total"] == 7 and exact["total_capped"] is False
    titles_first = [r["id"] for r in exact["results"] if r["kind"] == "item"]
    assert titles_first == [*reversed(in_title), in_both, *reversed(in_body)]  # title hits, then the newest

    monkeypatch.setattr(service, "COUNT_CAP", 5)
    capped = _search(client, "燃气")
    assert capped["total"] == 5 and capped["total_capped"] is True
    assert capped["results"] == exact["results"]  # the same results in the same order
    second = client.get("/api/v1/search?q=燃气&page=2").get_json()
    assert second["total_capped"] is True and second["results"] == []  # 7 results: all on page 1
    page = client.get("/search?q=燃气").get_data(as_text=True)
    assert "共 5+ 条结果" in page and "超过 5 项，第 1 页" in page
    several = _search(client, "燃气 检查")  # in_both and in_title: the title word ranks them alike
    assert several["total"] == 3 and several["total_capped"] is False
    assert [r["id"] for r in several["results"]] == [*reversed(in_title), in_both]
    for i in range(3):
        work.register(title=f"燃气检查第{i}期")
    assert _search(client, "燃气 检查")["total"] == 5 and _search(client, "燃气 检查")["total_capped"] is True


def test_every_word_of_the_query_must_be_found(work, sign_in, demo):
    both = work.register(title="供暖收费标准调整")
    work.register(title="供暖设施维护")
    work.register(title="水费收费标准")
    client = sign_in("supervisor")
    found = _search(client, "供暖 收费")
    assert found["total"] == 1 and found["results"][0]["id"] == both.number
    assert client.get("/api/v1/items?q=供暖 收费").get_json()["total"] == 1
    assert _search(client, "收费")["total"] == 2


@pytest.mark.parametrize("frequent", [1, 10**6], ids=["title-entries-read", "rarest-word-read"])
def test_several_words_find_the_same_results_however_frequent_the_rarest_is(work, sign_in, demo, monkeypatch, frequent):
    """Several words rank the objects with a title word from the rarest word's entries when it is rare, else
    from every word's title entries (search.services._ranked): the two ways give the same results in the same
    order, and the same count."""
    from portal.search import index

    monkeypatch.setattr(index, "FREQUENT", frequent)
    both_in_title = work.register(title="供暖收费标准", content="按期公布").number
    one_in_title = work.register(title="供暖设施维护", content="收费另行通知").number
    none_in_title = work.register(title="年度重点工作", content="供暖收费调整").number
    work.register(title="供暖管网改造", content="按计划推进")  # one word only
    write_article(sign_in("supervisor"), title="收费办法", body="冬季供暖收费的说明。")
    client = sign_in("supervisor")
    found = _search(client, "供暖 收费")
    assert found["total"] == 4 and found["total_capped"] is False
    assert [(r["kind"], r["id"]) for r in found["results"]][:3] == [
        ("item", both_in_title), ("item", one_in_title), ("article", found["results"][2]["id"])]
    assert found["results"][3]["id"] == none_in_title
    assert _search(client, "供暖 收费", kind="item")["total"] == 3
    assert _search(client, "供暖 地热")["total"] == 0
