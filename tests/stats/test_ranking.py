"""Who is ranked, shared ranks and the awards (docs/statistics.md, DESIGN §5), and how the page, the API and
the XLSX export show them: the case of issue 20, where a department that closed nothing scored 100, tied first,
and the snail award went to the fourth while two departments with fewer items were shown ranked below it."""

import io

import openpyxl
import lxml.html

from portal.stats.figures import awards, rank_departments

MARCH = "from=2025-03-01&to=2025-03-31"


def row(code, score, items, closed=1, open_overdue=0):
    return {"code": code, "name": code, "score": score, "items": items, "closed": closed,
            "open_overdue": open_overdue}


def issue_20():
    """The office's period: 离退休 received 3 and closed none (100 by the penalties alone)."""
    return [row("office", 100.0, 5), row("retired", 100.0, 3, closed=0), row("security", 100.0, 4),
            row("property", 96.7, 6), row("preschool", 44.4, 2), row("culture", 52.5, 2, closed=0, open_overdue=1),
            row("canteen", 90.0, 3)]


def test_only_departments_with_enough_items_and_something_finished_are_ranked():
    rows = {r["code"]: r for r in rank_departments(issue_20(), min_items=3)}
    assert rows["retired"]["rank"] is None and rows["retired"]["not_ranked"] == "nothing_finished"
    assert rows["retired"]["score"] is None  # finished nothing: no score, good or bad
    assert rows["preschool"]["rank"] is None and rows["preschool"]["not_ranked"] == "few_items"
    assert rows["culture"]["rank"] is None and rows["culture"]["not_ranked"] == "few_items"
    assert rows["preschool"]["score"] == 44.4  # its figures stay readable, unranked


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    ranked = rank_departments(issue_20(), min_items=3)
    assert [(r["code"], r["rank"], r["tied"]) for r in ranked[:4]] == [
        ("office", 1, True), ("security", 1, True), ("property", 3, False), ("canteen", 4, False)]
    assert [r["code"] for r in ranked[4:]] == ["retired", "preschool", "culture"]  # after the ranked


def test_the_awards_go_to_the_best_and_worst_of_the_ranked():
    ranked = [r for r in rank_departments(issue_20(), min_items=3) if r["rank"] is not None]
    won = awards(ranked)
    assert [r["code"] for r in won["best"]] == ["office", "security"]
    assert [r["code"] for r in won["worst"]] == ["canteen"]  # the lowest ranked score, not preschool's 44.4
    same = [r for r in rank_departments([row("a", 80.0, 3), row("b", 80.0, 3)], 3)]
    assert awards(same) == {"best": same, "worst": []}  # all equal: no snail award
    assert awards([]) == {"best": [], "worst": []}


def test_a_department_overdue_but_with_nothing_closed_is_ranked():
    rows = rank_departments([row("a", 50.0, 3, closed=0, open_overdue=2), row("b", 90.0, 3)], 3)
    assert [(r["code"], r["rank"]) for r in rows] == [("b", 1), ("a", 2)]


def test_the_page_lists_the_unranked_after_the_ranked_with_the_reason(sign_in, in_april):
    html = sign_in("leader").get(f"/stats?{MARCH}").get_data(as_text=True)
    page = lxml.html.fromstring(html)
    ranks = [(tr.get("data-department"), tr.xpath("string(td[@class='rank'])").strip())
             for tr in page.xpath("//table[@class='stats-table']/tbody/tr")]
    assert ranks[:2] == [("property", "1"), ("culture", "2")]
    assert dict(ranks)["catering"] == "不参评：事项少于 2 项"
    assert dict(ranks)["office"] == "不参评：本期无事项"
    # The bars hold the ranked only; the table beside them names the others as 不参评.
    bars = page.xpath("string(//svg[contains(@class, 'chart-bars')])")
    assert "餐饮服务中心" not in bars and "物业服务中心" in bars
    awards_text = page.xpath("string(//div[@class='awards'])")
    assert "物业服务中心" in awards_text and "文体新闻中心" in awards_text and "餐饮服务中心" not in awards_text
    # Leaders read the definitions in words: no config keys.
    definitions = page.xpath("string(//details[contains(@class, 'definitions')])")
    assert "stats." not in definitions and "min_items" not in definitions and "weights" not in definitions
    assert "不少于 2 项" in definitions and "按时办结率 40%" in definitions


def test_a_tie_shows_as_shared_rank_everywhere(sign_in, in_april, app):
    # Extensions alone, and one item enough to be ranked: catering (0 of 1) and culture (0 of 2) both score 100.
    app.config["PORTAL"]["stats"]["weights"] = {"on_time_rate": 0.0, "open_overdue": 0.0, "avg_score": 0.0,
                                                "late_signatures": 0.0, "late_feedback": 0.0, "returns": 0.0,
                                                "extensions": 1.0}
    app.config["PORTAL"]["stats"]["min_items"] = 1
    client = sign_in("leader")
    body = client.get(f"/api/v1/stats/departments?{MARCH}").get_json()
    rows = {r["code"]: r for r in body["departments"]}
    # Extensions: catering 0 of 1 and culture 0 of 2 score 100; property 1 of 7 scores 85.7.
    assert (rows["catering"]["rank"], rows["culture"]["rank"], rows["property"]["rank"]) == (1, 1, 3)
    assert rows["catering"]["tied"] and rows["culture"]["tied"] and not rows["property"]["tied"]
    assert {a["code"] for a in body["awards"]["best"]} == {"catering", "culture"}
    assert [a["code"] for a in body["awards"]["worst"]] == ["property"]
    html = client.get(f"/stats?{MARCH}").get_data(as_text=True)
    ranks = {tr.get("data-department"): tr.xpath("string(td[@class='rank'])").strip()
             for tr in lxml.html.fromstring(html).xpath("//table[@class='stats-table']/tbody/tr")}
    assert ranks["catering"] == ranks["culture"] == "1（并列）" and ranks["property"] == "3"
    assert "1. / 1." not in html
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/stats/export.xlsx?{MARCH}").get_data()))["各部门统计"]
    header = [c.value for c in sheet[1]]
    by_name = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["餐饮服务中心"]["排名"] == 1 and by_name["餐饮服务中心"]["排名说明"] == "并列"
    assert by_name["综合办公室"]["排名"] is None and by_name["综合办公室"]["排名说明"] == "不参评：本期无事项"
    assert by_name["物业服务中心"]["奖项"] == "蜗牛奖"

