"""/stats, the hot issues and the circular form on a 390 px phone and a 1366 px desk (issue 20, points 3 and 13):
nothing wider than the viewport (the wide figures table scrolls in its own box), the period's date fields inside
their card, the charts' text at reading size as rendered."""

import pytest

from .conftest import serve

# Elements whose box leaves the viewport, those inside a box that scrolls sideways excepted.
OVERFLOW = """() => {
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX; if (x === 'auto' || x === 'scroll' || x === 'hidden') return true; }
    return false; };
  return [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > innerWidth + 0.5 && !scrolls(e);
  }).map(e => `${e.tagName}.${e.className.baseVal ?? e.className}#${e.id} ${Math.round(e.getBoundingClientRect().left)}-${Math.round(e.getBoundingClientRect().right)}`);
}"""
# The rendered height of every text of the charts (a 13 px glyph box is about 15 px high).
TEXT_HEIGHTS = """sel => [...document.querySelectorAll(sel + ' text')].map(t => t.getBoundingClientRect().height)"""


@pytest.fixture
def live_server(make_app):
    """The whole demo: items in every state, petitions, so that the charts have bars and lines."""
    from portal import demo

    with serve(make_app(), demo.seed) as server:
        yield server


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 900)])
def test_stats_fit_the_screen_and_the_charts_read(open_as, live_server, width, height):
    page = open_as("leader")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/stats")
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Each field ends inside the card's content box (within its padding).
    inside = page.evaluate("""() => { const card = document.querySelector('form.filters');
      const right = card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight);
      return ['#stats-period', '#stats-from', '#stats-to'].map(s => [s, document.querySelector(s)
        .getBoundingClientRect().right <= right + 0.5]); }""")
    assert all(ok for _field, ok in inside), inside
    if width >= 1366:  # on a desk the whole figures table, its rank column last, is seen without scrolling
        wrap = page.evaluate("() => { const w = document.querySelector('table.stats-table').parentElement;"
                             " return [w.scrollWidth, w.clientWidth]; }")
        assert wrap[0] <= wrap[1], wrap
    for chart in ("svg.chart-bars", "svg.chart-lines"):
        heights = page.evaluate(TEXT_HEIGHTS, chart)
        assert heights and min(heights) >= 14, (chart, min(heights))  # 13 px type, not shrunk


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 900)])
def test_the_hot_issues_and_the_circular_form_fit_and_read(open_as, live_server, width, height):
    page = open_as("leader")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/petitions/hot")
    assert page.evaluate(OVERFLOW) == []
    heights = page.evaluate(TEXT_HEIGHTS, "svg.bars")
    assert heights and min(heights) >= 14, min(heights)
    page.goto(f"{live_server.url}/reports/circular")
    assert page.evaluate(OVERFLOW) == []
    assert page.locator("#circular-preview .red-head").is_visible()
