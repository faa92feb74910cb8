"""Hot issues (群众热点): counts by category and area against the previous period, on /petitions/hot (SVG and
table), in the API and on the leader's board."""

import datetime
import re

from portal.kernel.db import database
from portal.petitions.models import Petition

from .conftest import PHONE


def test_three_heating_petitions_in_one_area_make_a_hot_issue(app, sign_in, demo, petition):
    for _ in range(3):
        petition(category="heating", area="东风小区")
    petition(category="gas", area="西山小区")
    old = petition(category="heating", area="东风小区")
    with app.app_context(), database.connection_context():  # received in the previous period
        row = Petition.get(Petition.number == old)
        Petition.update(received_at=row.received_at - datetime.timedelta(days=40)).where(Petition.id == row.id).execute()

    leader = sign_in("leader")
    body = leader.get("/api/v1/petitions/hot").get_json()
    assert body["total"] == 4 and body["previous_total"] == 1
    assert body["categories"][0] == {"category": "heating", "label": "供暖", "count": 3, "previous": 1, "change": 2}
    assert body["categories"][1]["category"] == "gas"
    assert body["areas"][0] == {"area": "东风小区", "label": "东风小区", "count": 3, "previous": 1, "change": 2}

    page = leader.get("/petitions/hot").get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "供暖" in svg and "<rect" in svg and PHONE not in page
    assert re.search(r"<th scope=\"row\">供暖</th><td>3</td><td>1</td>", page)
    fragment = leader.get("/petitions/hot?from=2026-01-01&to=2026-01-31", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)

    board = leader.get("/").get_data(as_text=True)
    panel = board.split('id="panel-hot_issues"', 1)[1].split("</section>", 1)[0]
    assert "供暖" in panel and "东风小区" in panel
    assert leader.get("/board/hot_issues").status_code == 200
    assert sign_in("handler").get("/board/hot_issues").status_code == 404


def test_the_period_is_checked(sign_in, demo):
    leader = sign_in("leader")
    for query in ("from=2026-13-01", "from=2026-02-01&to=2026-01-01", "from=2024-01-01&to=2026-01-01"):
        assert leader.get(f"/api/v1/petitions/hot?{query}").status_code == 422, query
        assert leader.get(f"/petitions/hot?{query}").status_code == 422, query
    body = leader.get("/api/v1/petitions/hot?from=2026-03-01&to=2026-03-10").get_json()
    assert (body["previous_from"], body["previous_to"]) == ("2026-02-19", "2026-02-28")


def test_the_list_answers_in_a_fixed_number_of_queries(app, sign_in, demo, petition):
    from tests.querycount import count_queries

    supervisor = sign_in("supervisor")

    def queries_for_list():
        with count_queries() as counted:
            assert supervisor.get("/api/v1/petitions").status_code == 200
            assert supervisor.get("/petitions").status_code == 200
        return len(counted)

    number = petition()
    from .conftest import act

    act(supervisor, number, "assign", department="property")
    act(supervisor, number, "convert")
    few = queries_for_list()
    for index in range(5):
        other = petition(area=f"区{index}")
        act(supervisor, other, "assign", department="catering")
        act(supervisor, other, "convert")
    assert queries_for_list() == few
