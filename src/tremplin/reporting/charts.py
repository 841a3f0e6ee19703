"""Geometry of the charts, as numbers. Pure: no Django.

The templates ``reporting/charts/*.html`` draw inline SVG from these numbers, so the same
charts show on the pages and in the PDF reports (WeasyPrint renders inline SVG).

Horizontal positions are percentages of the chart's width (the SVG stretches to its
container while its text keeps its size); vertical positions are pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

Number = Decimal | int

FRENCH_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

# Horizontal bar charts: a label line above each bar, the value after it.
BAR_PLOT_WIDTH = Decimal(82)  # % of the width the longest bar fills; the value follows it
ROW_LABEL_HEIGHT = 18
BAR_HEIGHT = 16
ROW_GAP = 10
AXIS_HEIGHT = 22

# Monthly chart.
MONTH_PLOT_HEIGHT = 200
MONTH_TOP = 12
MONTH_AXIS_HEIGHT = 24
MONTH_BAR_SHARE = Decimal("0.7")  # of a month's slot; the rest separates the bars


def month_label(month: date) -> str:
    """``janv. 2025``."""
    return f"{FRENCH_MONTHS[month.month - 1]} {month.year}"


def _pct(value: Decimal) -> Decimal:
    """A percentage with two decimals, safe and short in an SVG attribute."""
    return value.quantize(Decimal("0.01"))


def nice_step(top: Number, count: int = 4) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` ticks."""
    top = Decimal(top)
    if top <= 0:
        return Decimal(1)
    raw = top / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if raw <= factor * magnitude:
            step = factor * magnitude
            # Hours and people are counted in units: no tick between two units.
            return max(step, Decimal(1))
    return Decimal(10) * magnitude  # pragma: no cover - the loop always returns


def nice_ceiling(top: Number, count: int = 4) -> Decimal:
    """The smallest multiple of the nice step at or above ``top``."""
    top = Decimal(top)
    if top <= 0:
        return Decimal(0)
    step = nice_step(top, count)
    steps = (top / step).to_integral_value(rounding="ROUND_CEILING")
    return steps * step


@dataclass(frozen=True)
class Tick:
    value: Decimal
    position: Decimal  # % of the width (bar chart) or px from the top (monthly chart)


def ticks_up_to(top: Number, scale: Decimal, length: Decimal, count: int = 4) -> list[Tick]:
    """Round values from 0 to ``top``, placed on an axis where ``scale`` spans ``length``."""
    top = Decimal(top)
    if top <= 0 or scale <= 0:
        return []
    step = nice_step(top, count)
    ticks = []
    value = Decimal(0)
    while value <= top:
        ticks.append(Tick(value=value, position=_pct(value * length / scale)))
        value += step
    return ticks


# --- Horizontal bar charts -----------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    index: int
    value: Decimal
    label_y: int  # baseline of the label, px
    bar_y: int  # top of the bar, px
    width: Decimal  # % of the chart's width, 0 to BAR_PLOT_WIDTH
    value_x: Decimal  # where the value is written, % of the width


@dataclass(frozen=True)
class BarChart:
    rows: list[BarRow]
    ticks: list[Tick]
    height: int
    axis_y: int
    bar_height: int = BAR_HEIGHT
    plot_width: Decimal = BAR_PLOT_WIDTH


def bar_chart(values: Sequence[Number]) -> BarChart:
    """Bars proportional to ``values`` (negatives drawn as 0); the largest fills the plot."""
    clean = [max(Decimal(value), Decimal(0)) for value in values]
    top = max(clean, default=Decimal(0))
    row_height = ROW_LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    rows = []
    for index, value in enumerate(clean):
        width = _pct(value * BAR_PLOT_WIDTH / top) if top > 0 else Decimal(0)
        y = index * row_height
        rows.append(
            BarRow(
                index=index,
                value=value,
                label_y=y + ROW_LABEL_HEIGHT - 5,
                bar_y=y + ROW_LABEL_HEIGHT,
                width=width,
                value_x=width + 1,
            )
        )
    axis_y = len(clean) * row_height
    return BarChart(
        rows=rows,
        ticks=ticks_up_to(top, top, BAR_PLOT_WIDTH),
        height=axis_y + AXIS_HEIGHT,
        axis_y=axis_y,
    )


# --- Realised hours against expected, month by month --------------------------------


@dataclass(frozen=True)
class MonthColumn:
    month: date
    label: str  # "janv. 2025"
    realised: Decimal
    expected: Decimal
    x: Decimal  # left of the month's slot, %
    slot: Decimal  # width of the slot, %
    bar_x: Decimal  # left of the bar, %
    bar_width: Decimal  # %
    bar_y: Decimal  # top of the bar, px
    bar_height: Decimal  # px
    expected_y: Decimal  # px
    show_label: bool  # a month label under the axis (not every month fits)

    @property
    def x_end(self) -> Decimal:
        return self.x + self.slot

    @property
    def centre(self) -> Decimal:
        return self.x + self.slot / 2


@dataclass(frozen=True)
class ExpectedStep:
    """A vertical joint of the expected line, between two months."""

    x: Decimal
    y1: Decimal
    y2: Decimal


@dataclass(frozen=True)
class MonthChart:
    columns: list[MonthColumn]
    steps: list[ExpectedStep]
    ticks: list[Tick]
    scale: Decimal
    height: int
    axis_y: int
    top: int = MONTH_TOP

    @property
    def first_label(self) -> str:
        return self.columns[0].label if self.columns else ""

    @property
    def last_label(self) -> str:
        return self.columns[-1].label if self.columns else ""


def label_every(months: int, max_labels: int = 12) -> int:
    """Label one month in ``n`` so that at most ``max_labels`` labels share the axis."""
    for every in (1, 2, 3, 4, 6, 12, 24):
        if months <= every * max_labels:
            return every
    return (months + max_labels - 1) // max_labels


def month_chart(points: Sequence[tuple[date, Number, Number]]) -> MonthChart:
    """Columns of realised hours and a step line of expected hours, one slot per month."""
    count = len(points)
    realised_values = [max(Decimal(realised), Decimal(0)) for _, realised, _ in points]
    expected_values = [max(Decimal(expected), Decimal(0)) for _, _, expected in points]
    scale = nice_ceiling(max([*realised_values, *expected_values], default=Decimal(0)))
    plot = Decimal(MONTH_PLOT_HEIGHT)
    axis_y = MONTH_TOP + MONTH_PLOT_HEIGHT
    slot = Decimal(100) / count if count else Decimal(0)
    every = label_every(count)

    def y_of(value: Decimal) -> Decimal:
        if scale <= 0:
            return Decimal(axis_y)
        return _pct(axis_y - value * plot / scale)

    columns = []
    for index, ((month, _, _), realised, expected) in enumerate(
        zip(points, realised_values, expected_values, strict=True)
    ):
        x = _pct(slot * index)
        bar_y = y_of(realised)
        # Only labels that fit: every n-th month, starting from a January when n divides 12.
        anchor = (month.month - 1) if every in (2, 3, 4, 6, 12) else index
        columns.append(
            MonthColumn(
                month=month,
                label=month_label(month),
                realised=realised,
                expected=expected,
                x=x,
                slot=_pct(slot),
                bar_x=_pct(x + slot * (1 - MONTH_BAR_SHARE) / 2),
                bar_width=_pct(slot * MONTH_BAR_SHARE),
                bar_y=bar_y,
                bar_height=Decimal(axis_y) - bar_y,
                expected_y=y_of(expected),
                show_label=anchor % every == 0,
            )
        )
    steps = [
        ExpectedStep(x=current.x, y1=previous.expected_y, y2=current.expected_y)
        for previous, current in pairwise(columns)
        if previous.expected_y != current.expected_y
    ]
    return MonthChart(
        columns=columns,
        steps=steps,
        ticks=[
            Tick(value=tick.value, position=_pct(axis_y - tick.position))
            for tick in ticks_up_to(scale, scale, plot)
        ],
        scale=scale,
        height=axis_y + MONTH_AXIS_HEIGHT,
        axis_y=axis_y,
    )
