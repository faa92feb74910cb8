"""The server-side SVG charts (issue 20): whole-number ticks in even steps, text at reading size, series told
apart by colour and by pattern (they print in black and white), the table beside each chart."""

import lxml.etree
import lxml.html
import pytest

from portal.stats.charts import integer_ticks, trend_lines

MARCH = "from=2025-03-01&to=2025-03-31"
SVG = "{http://www.w3.org/2000/svg}"


def svgs(html, css_class):
    page = lxml.html.fromstring(html)
    found = page.xpath(f"//svg[contains(@class, '{css_class}')]")
    assert found, css_class
    return [lxml.etree.fromstring(lxml.html.tostring(svg)) for svg in found]


def elements(svg, tag):
    return [e for e in svg.iter() if isinstance(e.tag, str) and e.tag.split("}")[-1] == tag]


@pytest.mark.parametrize("top, expected", [
    (0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (6, [0, 1, 2, 3, 4, 5, 6]), (7, [0, 2, 4, 6, 8]),
    (10, [0, 2, 4, 6, 8, 10]), (23, [0, 5, 10, 15, 20, 25]), (140, [0, 50, 100, 150])])
def test_ticks_are_whole_numbers_in_even_steps(top, expected):
    assert integer_ticks(top) == expected


def test_the_trend_axis_of_issue_20_reads_in_whole_numbers():
    trends = [{"month": f"2026-{m:02d}", "received": r, "closed": 0, "closed_on_time": 0}
              for m, r in zip(range(1, 13), [0, 3, 10, 7, 2, 0, 0, 1, 4, 9, 2, 6])]
    values = [tick["value"] for tick in trend_lines(trends)["ticks"]]
    assert values == [0, 2, 4, 6, 8, 10]  # not 0 / 2 / 5 / 7 / 10


def test_the_stats_charts_read_and_print(sign_in, in_april):
    html = sign_in("leader").get(f"/stats?{MARCH}").get_data(as_text=True)
    (lines,) = svgs(html, "chart-lines")
    ticks = [t.text for t in elements(lines, "text") if t.get("class") == "tick"]
    assert ticks and all(t.isdigit() for t in ticks)
    steps = {int(b) - int(a) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1  # even steps
    (bars,) = svgs(html, "chart-bars")
    for svg in (lines, bars):
        sizes = [float(t.get("font-size")) for t in elements(svg, "text")]
        assert sizes and min(sizes) >= 12
        assert float(svg.get("width")) <= 350  # drawn at natural size on a 390 px phone: the text is not shrunk
    series = [(p.get("stroke"), p.get("stroke-dasharray")) for p in elements(lines, "polyline")]
    assert len(series) == 3 and len({colour for colour, _dash in series}) == 3
    assert len({dash for _colour, dash in series}) == 3  # a dash pattern each (one solid)
    # The bars: the best hatched, the worst dotted, the others solid; each its own colour.
    fills = {r.get("data-series"): r.get("fill") for r in elements(bars, "rect") if r.get("data-series")}
    assert fills["best"] == "url(#bars-best)" and fills["worst"] == "url(#bars-worst)"
    assert {p.get("id") for p in elements(bars, "pattern")} == {"bars-best", "bars-worst"}
    # Each chart keeps its table beside it.
    page = lxml.html.fromstring(html)
    assert len(page.xpath("//div[@class='chart-pair']/table[@class='chart-table']")) == 2
