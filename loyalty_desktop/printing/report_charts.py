"""Charts of the monthly report (reportlab.graphics), drawn in the DejaVu fonts."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from . import fonts

BLUE = colors.HexColor("#1f5fa8")
GREY = colors.HexColor("#9aa5b1")
TIER_COLOURS = ("#b08d57", "#9ea7b0", "#d4a017", "#5b6b7a")


def _style_axes(chart, size: float = 7) -> None:
    """DejaVu labels on both axes."""
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = fonts.REGULAR
        axis.labels.fontSize = size


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 10, text, fontName=fonts.BOLD, fontSize=9))


def revenue_by_day(days: list[dict], title: str, width: float = 480, height: float = 170
                   ) -> Drawing:
    """Bar per day of the month, in whole TL."""
    d = Drawing(width, height)
    _title(d, title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55, 22, width - 65, height - 40
    chart.data = [[row["total"] / 100 for row in days] or [0]]
    chart.categoryAxis.categoryNames = [row["day"][-2:] if i % 2 == 0 else ""
                                        for i, row in enumerate(days)]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}".replace(",", ".")
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    _style_axes(chart, 6)
    d.add(chart)
    return d


def tiers(distribution: dict[str, int], names: dict[str, str], title: str,
          width: float = 230, height: float = 130) -> Drawing:
    """Horizontal bar per tier: members at month end."""
    d = Drawing(width, height)
    _title(d, title, width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55, 10, width - 70, height - 30
    chart.data = [[distribution[k] for k in distribution]]
    chart.categoryAxis.categoryNames = [names.get(k, k) for k in distribution]
    _whole_steps(chart, max(chart.data[0] or [0]))
    chart.bars[0].strokeColor = None
    for i, _ in enumerate(distribution):
        chart.bars[(0, i)].fillColor = colors.HexColor(TIER_COLOURS[i % len(TIER_COLOURS)])
    _style_axes(chart)
    d.add(chart)
    return d


def _whole_steps(chart, largest: int) -> None:
    """Value axis in whole members (no 0.5 ticks on small counts), in round steps (1, 2 or 5
    times a power of ten: 50.000, not 30.643) with a thousands separator."""
    chart.valueAxis.valueMin = 0
    step, scale = 1, 1
    while step * scale * 5 < largest:
        step = {1: 2, 2: 5, 5: 1}[step]
        scale *= 10 if step == 1 else 1
    chart.valueAxis.valueStep = step * scale
    chart.valueAxis.valueMax = max(1, step * scale * -(-max(largest, 1) // (step * scale)))
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}".replace(",", ".")


def segments(changes: dict[str, dict], labels: dict[str, str], title: str,
             legend: tuple[str, str] = ("", ""), width: float = 480,
             height: float = 190) -> Drawing:
    """Members per RFM segment last month (grey) and this month (blue)."""
    d = Drawing(width, height)
    _title(d, title, width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 130, 10, width - 145, height - 30
    keys = list(changes) or ["-"]
    chart.data = [[changes.get(k, {}).get("before", 0) for k in keys],
                  [changes.get(k, {}).get("after", 0) for k in keys]]
    chart.categoryAxis.categoryNames = [labels.get(k, k) for k in keys]
    _whole_steps(chart, max(max(row) for row in chart.data))
    chart.bars[0].fillColor, chart.bars[1].fillColor = GREY, BLUE
    chart.bars.strokeColor = None
    _style_axes(chart)
    d.add(chart)
    key = Legend()
    key.x, key.y = width - 150, height - 4
    key.fontName, key.fontSize = fonts.REGULAR, 7
    key.alignment = "right"
    key.columnMaximum = 1
    key.colorNamePairs = [(GREY, legend[0]), (BLUE, legend[1])]
    d.add(key)
    return d


def nps_trend(trend: list[dict], title: str, width: float = 480, height: float = 140) -> Drawing:
    """NPS per month over twelve months as bars (a month without answers has no bar)."""
    d = Drawing(width, height)
    _title(d, title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 20, width - 50, height - 40
    chart.data = [[row["score"] for row in trend]]
    chart.categoryAxis.categoryNames = [row["month"][2:] for row in trend]
    chart.categoryAxis.labelAxisMode = "low"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = -100, 100
    chart.valueAxis.valueStep = 50
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    _style_axes(chart)
    d.add(chart)
    return d
