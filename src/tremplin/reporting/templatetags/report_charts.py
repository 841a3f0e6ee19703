"""Chart geometry for the templates of ``reporting/charts``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import template

from tremplin.core.templatetags.french import hours, number
from tremplin.reporting.charts import BarChart, BarRow, MonthChart, bar_chart, month_chart
from tremplin.reporting.indicators import Bar, MonthPoint, Series
from tremplin.reporting.purchasing import YearIndicators

register = template.Library()


@dataclass(frozen=True)
class DrawnBar:
    row: BarRow
    bar: Bar


@dataclass(frozen=True)
class SeriesChart:
    geometry: BarChart
    bars: list[DrawnBar]


@register.simple_tag
def bar_chart_of(series: Series) -> SeriesChart:
    geometry = bar_chart([bar.value for bar in series.bars])
    return SeriesChart(
        geometry=geometry,
        bars=[DrawnBar(row, bar) for row, bar in zip(geometry.rows, series.bars, strict=True)],
    )


@register.simple_tag
def month_chart_of(points: Sequence[MonthPoint]) -> MonthChart:
    return month_chart([(point.month, point.realised, point.expected) for point in points])


@register.simple_tag
def share_trend_chart_of(years: Sequence[YearIndicators], target: Decimal) -> MonthChart:
    """The share of contracts with a social consideration, one column per year (in
    percent), and the target as the line: the geometry of the monthly chart."""
    return month_chart(
        [
            (date(item.year, 1, 1), (item.social_share or Decimal(0)) * 100, target * 100)
            for item in years
        ]
    )


@register.filter
def share_of(value: Decimal | int, total: Decimal | int) -> Decimal | None:
    """``value`` as a ratio of ``total`` (None when the total is 0), for ``|percent``."""
    if not total:
        return None
    return Decimal(value) / Decimal(total)


@register.filter
def with_unit(value: Decimal | int, unit: str) -> str:
    """``258 000 h`` for hours, ``42`` for people and contracts."""
    if unit == "heures":
        return f"{hours(value)}\u00a0h"
    return number(value)
