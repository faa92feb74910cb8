"""Charts as server-side SVG geometry: bars for the ranking, lines for the monthly trends.

They print in black and white: bars are dark with their value written beside
them, and each trend line has its own dash pattern and marker shape.
"""

import math

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH = 22, 8, 130, 300
LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_BOTTOM, LINE_TOP = 560, 240, 44, 34, 16
SERIES = (  # name, dash pattern, marker
    ("received", "", "circle"),
    ("closed", "6 4", "square"),
    ("closed_on_time", "2 3", "triangle"),
)


def ranking_bars(rows, best=None, worst=None):
    """Bars of the composite score (0–100), best first: the geometry the template draws."""
    ranked = sorted((r for r in rows if r["score"] is not None), key=lambda r: (r["rank"], r["name"]))
    bars = []
    for index, row in enumerate(ranked):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = max(1.0, BAR_WIDTH * row["score"] / 100)
        award = "best" if best and row["code"] == best["code"] else "worst" if worst and row["code"] == worst["code"] \
            else None
        bars.append({"row": row, "y": y, "text_y": y + BAR_HEIGHT * 0.7, "width": round(width, 1),
                     "value_x": LABEL_WIDTH + width + 6, "award": award})
    height = max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP)
    return {"bars": bars, "label_width": LABEL_WIDTH, "bar_width": BAR_WIDTH, "bar_height": BAR_HEIGHT,
            "width": LABEL_WIDTH + BAR_WIDTH + 110, "height": height}


def _nice_top(value):
    """A round axis maximum at or above ``value`` (1, 2, 5 × a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def trend_lines(trends):
    """Lines of received, closed and closed-on-time items per month, with axes and ticks."""
    top = _nice_top(max([t[name] for t in trends for name, _dash, _marker in SERIES] or [0]))
    plot_w = LINE_WIDTH - LINE_LEFT - 10
    plot_h = LINE_HEIGHT - LINE_BOTTOM - LINE_TOP
    step = plot_w / max(1, len(trends) - 1)

    def point(index, value):
        return round(LINE_LEFT + index * step, 1), round(LINE_TOP + plot_h * (1 - value / top), 1)

    series = []
    for name, dash, marker in SERIES:
        points = [point(i, t[name]) for i, t in enumerate(trends)]
        series.append({"name": name, "dash": dash, "marker": marker, "points": points,
                       "path": " ".join(f"{x},{y}" for x, y in points)})
    ticks = [{"value": top * k // 4 if top >= 4 else round(top * k / 4, 2),
              "y": round(LINE_TOP + plot_h * (1 - k / 4), 1)} for k in range(5)]
    months = [{"label": t["month"][5:], "x": round(LINE_LEFT + i * step, 1)} for i, t in enumerate(trends)]
    return {"series": series, "ticks": ticks, "months": months, "width": LINE_WIDTH, "height": LINE_HEIGHT,
            "left": LINE_LEFT, "right": LINE_WIDTH - 10, "top": LINE_TOP, "bottom": LINE_TOP + plot_h}
