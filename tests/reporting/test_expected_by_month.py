"""The chart's expected hours: the fast spread gives exactly the figures of the plain one
(every contract's ``monthly_expected`` over every month of the chart, added up)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.reporting.indicators import _expected_by_month, monthly_expected, months_between

days = st.dates(min_value=datetime.date(2018, 1, 1), max_value=datetime.date(2030, 12, 31))


@st.composite
def obligations(draw: st.DrawFn) -> tuple[int, datetime.date, datetime.date]:
    start = draw(days)
    # Zero days (start = end) included: such a contract is due at once.
    end = start + datetime.timedelta(days=draw(st.integers(min_value=0, max_value=2500)))
    return draw(st.integers(min_value=0, max_value=200_000)), start, end


def plain_spread(
    contracts: list[tuple[int, datetime.date, datetime.date]], months: list[datetime.date]
) -> dict[datetime.date, Decimal]:
    expected = dict.fromkeys(months, Decimal(0))
    for required, start, end in contracts:
        for month, hours in monthly_expected(required, start, end, months).items():
            expected[month] += hours
    return expected


@given(st.lists(obligations(), max_size=12), days, st.integers(min_value=0, max_value=150))
def test_the_fast_spread_equals_the_plain_one(contracts, first, length):
    # Any window: before, across or after the contracts' execution.
    months = months_between(first, first + datetime.timedelta(days=31 * length))

    assert _expected_by_month(contracts, months) == plain_spread(contracts, months)


def test_a_contract_starting_and_ending_on_a_first_is_due_the_month_before():
    months = months_between(datetime.date(2026, 1, 1), datetime.date(2026, 6, 1))
    contract = (300, datetime.date(2026, 3, 1), datetime.date(2026, 3, 1))

    spread = _expected_by_month([contract], months)

    assert spread == plain_spread([contract], months)
    assert spread[datetime.date(2026, 2, 1)] == 300
    assert sum(spread.values()) == 300
