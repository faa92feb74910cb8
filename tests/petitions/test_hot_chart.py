"""The hot-issue bars (issue 20): text at reading size, drawn at natural size on a phone, this period and the
previous told apart by colour and pattern."""

from tests.stats.test_charts import elements, svgs


def test_the_hot_issue_bars_read_and_print(sign_in, petition):
    petition(category="heating", area="东风小区")
    petition(category="gas", area="西山社区")
    html = sign_in("leader").get("/petitions/hot").get_data(as_text=True)
    for svg in svgs(html, "bars"):
        sizes = [float(t.get("font-size")) for t in elements(svg, "text")]
        assert sizes and min(sizes) >= 12
        assert float(svg.get("width")) <= 350
        fills = {r.get("data-series"): r.get("fill") for r in elements(svg, "rect") if r.get("data-series")}
        assert fills["current"] != fills["previous"] and fills["previous"].startswith("url(#")
