"""Charts as server-side SVG geometry: bars for the ranking, lines for the monthly trends.

Sized to be drawn at their natural width on a 390 px phone (so the text keeps its
13 px), and told apart in colour and, for black-and-white print, in pattern: the
awards' bars are hatched or dotted, each trend line has its own dash pattern and
marker shape. Axis ticks are whole numbers in even steps (1, 2, 5 × 10ⁿ).
"""

import math

FONT_SIZE = 13
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 22, 8, 104, 110, 126
LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_RIGHT, LINE_BOTTOM, LINE_TOP = 340, 220, 34, 20, 24, 10
LEGEND_ROW = 20
# The bars: fill colour and pattern (an SVG <pattern> id, or "" for a solid fill) by award.
BAR_STYLES = {
    None: {"fill": "#3d6fb4", "pattern": "", "stroke": "#1f3f6e"},
    "best": {"fill": "#2e7d32", "pattern": "bars-best", "stroke": "#1b4d1e"},
    "worst": {"fill": "#c62828", "pattern": "bars-worst", "stroke": "#7f1717"},
}
SERIES = (  # name, dash pattern, marker, colour
    ("received", "", "circle", "#1f5fa8"),
    ("closed", "7 4", "square", "#d35400"),
    ("closed_on_time", "2 3", "triangle", "#2e7d32"),
)


def ranking_bars(rows, awards=None):
    """Bars of the composite score (0–100) of the ranked departments, best first: the geometry the template draws."""
    awards = awards or {"best": [], "worst": []}
    best = {r["code"] for r in awards["best"]}
    worst = {r["code"] for r in awards["worst"]}
    ranked = [r for r in rows if r["rank"] is not None]
    bars = []
    for index, row in enumerate(ranked):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = max(1.0, BAR_WIDTH * row["score"] / 100)
        award = "best" if row["code"] in best else "worst" if row["code"] in worst else None
        bars.append({"row": row, "y": y, "text_y": y + BAR_HEIGHT * 0.7, "width": round(width, 1),
                     "value_x": LABEL_WIDTH + width + 5, "award": award, **BAR_STYLES[award]})
    height = max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP)
    return {"bars": bars, "label_width": LABEL_WIDTH, "bar_width": BAR_WIDTH, "bar_height": BAR_HEIGHT,
            "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, "height": height, "font_size": FONT_SIZE,
            "styles": BAR_STYLES}


def integer_ticks(top_value, most=6):
    """Whole-number ticks 0, s, 2s … from 0 to at least ``top_value``, s a 1, 2 or 5 × 10ⁿ, at most ``most`` + 1."""
    top_value = max(1, math.ceil(top_value))
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            count = math.ceil(top_value / step)
            if count <= most:
                return [step * k for k in range(count + 1)]
        power *= 10


def trend_lines(trends):
    """Lines of received, closed and closed-on-time items per month, with axes, whole-number ticks and a legend."""
    ticks = integer_ticks(max([t[name] for t in trends for name, *_rest in SERIES] or [0]))
    top = ticks[-1]
    right = LINE_WIDTH - LINE_RIGHT
    plot_w = right - LINE_LEFT
    plot_h = LINE_HEIGHT - LINE_BOTTOM - LINE_TOP
    step = plot_w / max(1, len(trends) - 1)

    def point(index, value):
        return round(LINE_LEFT + index * step, 1), round(LINE_TOP + plot_h * (1 - value / top), 1)

    series = []
    for name, dash, marker, colour in SERIES:
        points = [point(i, t[name]) for i, t in enumerate(trends)]
        series.append({"name": name, "dash": dash, "marker": marker, "colour": colour, "points": points,
                       "path": " ".join(f"{x},{y}" for x, y in points)})
    tick_rows = [{"value": value, "y": round(LINE_TOP + plot_h * (1 - value / top), 1)} for value in ticks]
    # Every month's line gets a point; its label only every other month where twelve would crowd.
    every = 1 if len(trends) <= 6 else 2
    months = [{"label": str(int(t["month"][5:])), "x": round(LINE_LEFT + i * step, 1)}
              for i, t in enumerate(trends) if (len(trends) - 1 - i) % every == 0]
    legend_top = LINE_HEIGHT + 8
    legend = [{"y": legend_top + index * LEGEND_ROW} for index in range(len(series))]
    return {"series": series, "ticks": tick_rows, "months": months, "width": LINE_WIDTH,
            "height": legend_top + len(series) * LEGEND_ROW, "left": LINE_LEFT, "right": right, "top": LINE_TOP,
            "bottom": LINE_TOP + plot_h, "legend": legend, "font_size": FONT_SIZE}
