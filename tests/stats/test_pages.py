"""/stats and GET /api/v1/stats/departments: the figures per role, the period in the URL, SVG charts."""

import re

import pytest

from .conftest import at, d
from .test_figures import PROPERTY

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.mark.parametrize("username", ["leader", "supervisor"])
def test_leaders_and_supervisors_see_every_department_with_awards(sign_in, in_april, username):
    client = sign_in(username)
    body = client.get(f"/api/v1/stats/departments?{MARCH}").get_json()
    assert body["from"] == "2025-03-01" and body["to"] == "2025-03-31"
    assert len(body["departments"]) == 7
    rows = {row["code"]: row for row in body["departments"]}
    assert {key: rows["property"][key] for key in PROPERTY if key != "items"} == \
        {key: value for key, value in PROPERTY.items() if key != "items"}
    assert body["best"] == {"code": "property", "name": "物业服务中心", "score": 76.1, "rank": 1}
    assert body["worst"]["code"] == "culture"
    page = client.get(f"/stats?{MARCH}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "骏马奖" in html and "蜗牛奖" in html and "物业服务中心" in html and "文体新闻中心" in html
    assert html.count("<svg") == 2 and "<polyline" in html and "<rect" in html
    assert 'href="/stats"' in html  # the nav link
    # Every figure is shown with its definition.
    assert "按时办结" in html and "工作日" in html and "延期" in html


def test_a_handler_sees_only_their_own_department(sign_in, in_april):
    client = sign_in("handler")
    body = client.get(f"/api/v1/stats/departments?{MARCH}").get_json()
    assert [row["code"] for row in body["departments"]] == ["property"]
    assert body["departments"][0]["received"] == 6
    assert client.get(f"/api/v1/stats/departments?{MARCH}&department=culture").status_code == 404
    assert client.get(f"/api/v1/stats/departments?{MARCH}&department=nowhere").status_code == 404
    assert client.get(f"/api/v1/stats/departments?{MARCH}&department=property").status_code == 200
    html = client.get(f"/stats?{MARCH}").get_data(as_text=True)
    assert "物业服务中心" in html and "文体新闻中心" not in html and "餐饮服务中心" not in html
    assert 'href="/stats"' in html
    # The trends are the department's own: March received 6 (not the office's 9).
    march = re.search(r'<th scope="row">2025-03</th><td>(\d+)</td>', html)
    assert march and march.group(1) == "6"


def test_other_roles_get_403(sign_in, in_april):
    admin = sign_in("admin")
    assert admin.get("/stats").status_code == 403
    assert admin.get(f"/api/v1/stats/departments?{MARCH}").status_code == 403
    assert 'href="/stats"' not in admin.get("/").get_data(as_text=True)


def test_strangers_are_asked_to_sign_in(app):
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/stats/departments").status_code == 401
    assert anonymous.get("/stats").status_code in (302, 303)


def test_the_period_is_in_the_url_and_checked(sign_in, in_april):
    client = sign_in("leader")
    for kind, start in (("month", "2025-04-01"), ("quarter", "2025-04-01"), ("year", "2025-01-01")):
        body = client.get(f"/api/v1/stats/departments?period={kind}").get_json()
        assert body["from"] == start
    assert client.get("/api/v1/stats/departments").get_json()["to"] == "2025-06-30"  # this quarter by default
    bad = client.get("/api/v1/stats/departments?from=2025-13-01&to=2025-03-31")
    assert bad.status_code == 422 and "from" in bad.get_json()["error"]["fields"]
    backwards = client.get("/api/v1/stats/departments?from=2025-03-31&to=2025-03-01")
    assert backwards.status_code == 422 and "to" in backwards.get_json()["error"]["fields"]
    assert client.get("/api/v1/stats/departments?period=decade").status_code == 422
    page = client.get("/stats?from=2025-03-31&to=nonsense")
    assert page.status_code == 422 and "2026-03-31" in page.get_data(as_text=True)
    fragment = client.get(f"/stats?{MARCH}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("{#") is False and "<html" not in fragment and 'id="stats-results"' in fragment


def test_the_query_count_does_not_grow_with_the_items(app, history, sign_in):
    """Statistics are SQL aggregates: twice the items, the same statements."""
    import datetime

    from portal.items.models import Item
    from portal.kernel.db import database
    from tests.querycount import fresh_request_queries

    def statements():
        with at(d(4, 10)):
            client = sign_in("leader", new_session=True)
            assert client.get(f"/stats?{MARCH}").status_code == 200
            assert client.get(f"/api/v1/stats/departments?{MARCH}").status_code == 200
            page = fresh_request_queries(client, f"/stats?{MARCH}")
            api = fresh_request_queries(client, f"/api/v1/stats/departments?{MARCH}")
        return len(page), len(api)

    before = statements()
    with app.app_context(), database.connection_context():
        template = Item.get(Item.title == "事项A")
        rows = [{"number": f"DB-2025-9{n:03d}", "title": f"批量{n}", "source_type": "meeting",
                 "lead_department": template.lead_department_id, "created_by": template.created_by_id,
                 "deadline": datetime.date(2025, 3, 20), "state": "closed", "closed_on_time": n % 2 == 0,
                 "dispatched_at": datetime.datetime(2025, 3, 3, 2), "closed_at": datetime.datetime(2025, 3, 12, 2),
                 "score": 3} for n in range(60)]
        Item.insert_many(rows).execute()
    assert statements() == before


def test_the_form_shows_the_period_in_force_and_a_named_period_wins(sign_in, in_april):
    client = sign_in("leader")
    html = client.get("/stats?period=year").get_data(as_text=True)
    assert '<option value="year" selected>' in html
    assert 'value="2025-01-01"' in html and 'value="2025-12-31"' in html
    # Choosing 本年 in the form sends the old days too: the named period counts.
    body = client.get("/api/v1/stats/departments?period=year&from=2025-03-01&to=2025-03-31").get_json()
    assert (body["from"], body["to"]) == ("2025-01-01", "2025-12-31")
    html = client.get(f"/stats?period=&{MARCH}").get_data(as_text=True)
    assert '<option value="" selected>' in html and "2025-03-01 至 2025-03-31" in html


@pytest.mark.parametrize("username", ["leader", "handler"])
def test_the_page_links_its_excel_download_for_the_same_period(sign_in, in_april, username):
    """The link the page offers downloads the period's figures (it was hidden behind a wrong endpoint)."""
    client = sign_in(username)
    html = client.get(f"/stats?{MARCH}").get_data(as_text=True)
    link = re.search(r'href="(/stats/export\.xlsx\?[^"]+)"[^>]*>下载 Excel', html)
    assert link, "the Excel link is missing"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "2025-03-01-2025-03-31" in response.headers["Content-Disposition"].encode("latin-1").decode("utf-8")
