"""Geometry of the charts: bars proportional to their values, inside the chart, in French."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.inclusion.age import age_on, years_ago
from tremplin.reporting.charts import (
    BAR_PLOT_WIDTH,
    MONTH_PLOT_HEIGHT,
    bar_chart,
    month_chart,
    month_label,
    nice_ceiling,
    nice_step,
)
from tremplin.reporting.indicators import monthly_expected, months_between

amounts = st.decimals(min_value=-1000, max_value=10**7, places=2, allow_nan=False)
positive = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
TOLERANCE = Decimal("0.02")  # widths are rounded to the hundredth of a percent


@given(st.lists(amounts, min_size=1, max_size=30))
def test_bar_widths_are_never_negative_and_stay_inside_the_chart(values):
    chart = bar_chart(values)
    assert len(chart.rows) == len(values)
    for row in chart.rows:
        assert 0 <= row.width <= BAR_PLOT_WIDTH
        assert row.value_x > row.width


@given(st.lists(positive, min_size=1, max_size=30))
def test_the_largest_bar_fills_the_width_and_the_others_are_proportional(values):
    chart = bar_chart(values)
    top = max(values)
    if top == 0:
        assert all(row.width == 0 for row in chart.rows)
        return
    assert max(row.width for row in chart.rows) == BAR_PLOT_WIDTH
    for row, value in zip(chart.rows, values, strict=True):
        assert abs(row.width - value * BAR_PLOT_WIDTH / top) <= TOLERANCE


@given(st.lists(positive, min_size=1, max_size=30))
def test_bars_do_not_overlap_and_ticks_stay_on_the_axis(values):
    chart = bar_chart(values)
    bottoms = [row.bar_y + chart.bar_height for row in chart.rows]
    tops = [row.bar_y for row in chart.rows]
    assert all(bottom < top for bottom, top in zip(bottoms, tops[1:], strict=False))
    assert chart.axis_y >= bottoms[-1]
    for tick in chart.ticks:
        assert 0 <= tick.position <= BAR_PLOT_WIDTH
        assert tick.value <= max(values)


@given(st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2))
def test_nice_steps_are_round_and_the_ceiling_covers_the_top(top):
    step = nice_step(top)
    assert step >= 1
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)
    ceiling = nice_ceiling(top)
    assert top <= ceiling < top + step + step


points_strategy = st.lists(st.tuples(positive, positive), min_size=1, max_size=60)


@given(points_strategy)
def test_monthly_columns_fit_the_plot(pairs):
    months = months_between(datetime.date(2024, 1, 1), datetime.date(2030, 12, 1))[: len(pairs)]
    chart = month_chart(
        [
            (month, realised, expected)
            for month, (realised, expected) in zip(months, pairs, strict=True)
        ]
    )
    top = chart.axis_y - MONTH_PLOT_HEIGHT
    assert len(chart.columns) == len(pairs)
    for column in chart.columns:
        assert column.bar_height >= 0
        assert top - TOLERANCE <= column.bar_y <= chart.axis_y
        assert top - TOLERANCE <= column.expected_y <= chart.axis_y
        assert column.bar_x >= 0
        assert column.bar_x + column.bar_width <= 100 + TOLERANCE
    # Columns are proportional to the realised hours.
    if chart.scale > 0:
        for column in chart.columns:
            expected_height = column.realised * MONTH_PLOT_HEIGHT / chart.scale
            assert abs(column.bar_height - expected_height) <= TOLERANCE
    labelled = [column for column in chart.columns if column.show_label]
    assert 1 <= len(labelled) <= 13


def test_month_labels_are_french():
    assert month_label(datetime.date(2025, 1, 1)) == "janv. 2025"
    assert month_label(datetime.date(2025, 8, 1)) == "août 2025"
    assert month_label(datetime.date(2026, 12, 1)) == "déc. 2026"


def test_an_empty_chart_has_no_column():
    chart = month_chart([])
    assert chart.columns == []
    assert bar_chart([]).rows == []


@given(
    st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31)),
    st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2035, 12, 31)),
    st.sampled_from([26, 50]),
)
def test_age_band_limits_agree_with_age_on(birth, day, years):
    # A person born on or before ``years_ago(day, years)`` is at least ``years`` old.
    assert (birth <= years_ago(day, years)) == (age_on(birth, day) >= years)


@given(
    st.integers(min_value=0, max_value=100_000),
    st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2026, 12, 31)),
    st.integers(min_value=1, max_value=2000),
)
def test_monthly_expected_hours_add_up_to_the_obligation(required, start, days):
    end = start + datetime.timedelta(days=days)
    months = months_between(start, end)
    spread = monthly_expected(required, start, end, months)
    assert all(hours >= 0 for hours in spread.values())
    assert abs(sum(spread.values()) - required) < Decimal("0.000001")
