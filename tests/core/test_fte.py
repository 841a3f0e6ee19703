"""Full-time equivalents: the headline figure counts complete FTE only."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.core.fte import (
    LEGAL_ANNUAL_HOURS,
    MAYOTTE_CONVENTION_HOURS,
    exact_full_time_equivalents,
    full_time_equivalents,
    rounded_full_time_equivalents,
    whole_full_time_equivalents,
)

hours = st.integers(min_value=0, max_value=10**9)
conventions = st.sampled_from([LEGAL_ANNUAL_HOURS, MAYOTTE_CONVENTION_HOURS, 1, 1000])


def test_mayotte_programme_gives_141_whole_fte():
    assert whole_full_time_equivalents(258_000, MAYOTTE_CONVENTION_HOURS) == 141


def test_exact_fte_keeps_the_decimals():
    assert full_time_equivalents(258_000, 1820).quantize(Decimal("0.01")) == Decimal("141.76")


def test_rounding_is_always_down():
    assert whole_full_time_equivalents(1819, 1820) == 0
    assert whole_full_time_equivalents(1820, 1820) == 1
    assert whole_full_time_equivalents(3639, 1820) == 1
    assert rounded_full_time_equivalents(258_000, 1820) == Decimal("141.7")


def test_a_convention_must_be_positive_and_hours_not_negative():
    with pytest.raises(ValueError, match="hours_per_fte must be positive"):
        full_time_equivalents(100, 0)
    with pytest.raises(ValueError, match="hours must not be negative"):
        full_time_equivalents(-1, 1607)


@given(convention=conventions)
def test_zero_hours_are_zero_fte(convention):
    assert whole_full_time_equivalents(0, convention) == 0
    assert full_time_equivalents(0, convention) == 0


@given(a=hours, b=hours, convention=conventions)
def test_more_hours_never_give_fewer_fte(a, b, convention):
    low, high = sorted((a, b))
    assert whole_full_time_equivalents(low, convention) <= whole_full_time_equivalents(
        high, convention
    )


@given(value=hours, convention=conventions)
def test_whole_fte_never_overstate(value, convention):
    whole = whole_full_time_equivalents(value, convention)
    exact = full_time_equivalents(value, convention)
    assert whole <= exact < whole + 1


def test_the_exact_value_beside_a_headline_is_rounded_to_the_hundredth():
    assert exact_full_time_equivalents(Decimal(258_000), 1820) == Decimal("141.76")
    assert exact_full_time_equivalents(Decimal("16.07"), 1607) == Decimal("0.01")
