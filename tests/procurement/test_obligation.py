"""Properties of the obligation calculator: monotonic, zero in zero out, rounded to the nearest."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.procurement.obligation import (
    ObligationInputError,
    ObligationInputs,
    ObligationMode,
    compute_obligation,
    round_hours,
)


def decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low),
        max_value=Decimal(high),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


amounts = decimals("0", "1000000000")
# A share of 0 % is refused (a clause that requires nothing): shares start above zero.
ratios = decimals("0.0001", "1", places=4)
costs = decimals("0.01", "500")
euros_per_hour = decimals("0.01", "100000")
hours = decimals("0", "10000000")


@st.composite
def amount_based(draw):  # type: ignore[no-untyped-def]
    return ObligationInputs(
        mode=ObligationMode.AMOUNT_BASED,
        amount=draw(amounts),
        labour_share=draw(ratios),
        insertion_rate=draw(ratios),
        hourly_cost=draw(costs),
    )


@st.composite
def per_euro(draw):  # type: ignore[no-untyped-def]
    return ObligationInputs(
        mode=ObligationMode.PER_EURO_INVOICED,
        invoiced_amount=draw(amounts),
        euros_per_hour=draw(euros_per_hour),
    )


@st.composite
def share_of_hours(draw):  # type: ignore[no-untyped-def]
    return ObligationInputs(
        mode=ObligationMode.SHARE_OF_HOURS_WORKED,
        hours_worked=draw(hours),
        share_of_hours=draw(ratios),
    )


@st.composite
def fixed(draw):  # type: ignore[no-untyped-def]
    return ObligationInputs(mode=ObligationMode.FIXED_HOURS, fixed_hours=draw(hours))


any_inputs = st.one_of(amount_based(), per_euro(), share_of_hours(), fixed())


def hours_of(inputs: ObligationInputs) -> int:
    return compute_obligation(inputs).hours


def test_the_textbook_example():
    obligation = compute_obligation(
        ObligationInputs(
            mode=ObligationMode.AMOUNT_BASED,
            amount=Decimal(1_000_000),
            labour_share=Decimal("0.40"),
            insertion_rate=Decimal("0.05"),
            hourly_cost=Decimal(30),
        )
    )
    assert obligation.hours == 667
    assert obligation.exact_hours.quantize(Decimal("0.01")) == Decimal("666.67")


def test_one_hour_per_two_thousand_euros_invoiced():
    inputs = ObligationInputs(
        mode=ObligationMode.PER_EURO_INVOICED,
        invoiced_amount=Decimal(250_000),
        euros_per_hour=Decimal(2000),
    )
    assert hours_of(inputs) == 125


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [("666.5", 667), ("666.49", 666), ("666.51", 667), ("0.5", 1), ("0.49", 0), ("0", 0)],
)
def test_rounding_is_to_the_nearest_hour_halves_up(exact, rounded):
    assert round_hours(Decimal(exact)) == rounded


@given(inputs=any_inputs)
def test_never_more_than_half_an_hour_from_the_exact_value(inputs):
    obligation = compute_obligation(inputs)
    assert abs(obligation.hours - obligation.exact_hours) <= Decimal("0.5")
    assert obligation.hours >= 0


# Monotonic in each input ----------------------------------------------------------------------

NON_DECREASING = [
    (amount_based(), "amount", amounts),
    (amount_based(), "labour_share", ratios),
    (amount_based(), "insertion_rate", ratios),
    (per_euro(), "invoiced_amount", amounts),
    (share_of_hours(), "hours_worked", hours),
    (share_of_hours(), "share_of_hours", ratios),
    (fixed(), "fixed_hours", hours),
]
NON_INCREASING = [
    (amount_based(), "hourly_cost", costs),
    (per_euro(), "euros_per_hour", euros_per_hour),
]


@pytest.mark.parametrize(
    ("base", "name", "values"), NON_DECREASING, ids=[name for _, name, _ in NON_DECREASING]
)
def test_more_of_an_input_never_requires_fewer_hours(base, name, values):
    @given(inputs=base, a=values, b=values)
    def check(inputs, a, b):  # type: ignore[no-untyped-def]
        low, high = sorted((a, b))
        assert hours_of(replace(inputs, **{name: low})) <= hours_of(replace(inputs, **{name: high}))

    check()


@pytest.mark.parametrize(
    ("base", "name", "values"), NON_INCREASING, ids=[name for _, name, _ in NON_INCREASING]
)
def test_a_dearer_hour_never_requires_more_hours(base, name, values):
    @given(inputs=base, a=values, b=values)
    def check(inputs, a, b):  # type: ignore[no-untyped-def]
        low, high = sorted((a, b))
        assert hours_of(replace(inputs, **{name: low})) >= hours_of(replace(inputs, **{name: high}))

    check()


# Zero in, zero out ----------------------------------------------------------------------------

ZEROABLE = [
    (amount_based(), "amount"),
    (per_euro(), "invoiced_amount"),
    (share_of_hours(), "hours_worked"),
    (fixed(), "fixed_hours"),
]


@pytest.mark.parametrize(("base", "name"), ZEROABLE, ids=[name for _, name in ZEROABLE])
def test_a_zero_factor_requires_no_hour(base, name):
    @given(inputs=base)
    def check(inputs):  # type: ignore[no-untyped-def]
        obligation = compute_obligation(replace(inputs, **{name: Decimal(0)}))
        assert obligation.hours == 0
        assert obligation.exact_hours == 0

    check()


# Bad inputs -----------------------------------------------------------------------------------

ZERO_SHARES = [
    (
        amount_based(),
        "labour_share",
        "La part de main-d'œuvre doit être supérieure à 0 % : sans main-d'œuvre, le marché "
        "ne peut pas porter d'heures d'insertion.",
    ),
    (
        amount_based(),
        "insertion_rate",
        "Le taux d'insertion doit être supérieur à 0 % : à 0 %, la clause n'exigerait "
        "aucune heure.",
    ),
    (
        share_of_hours(),
        "share_of_hours",
        "La part des heures travaillées doit être supérieure à 0 % : à 0 %, la clause "
        "n'exigerait aucune heure.",
    ),
]


@pytest.mark.parametrize(
    ("base", "name", "message"), ZERO_SHARES, ids=[n for _, n, _ in ZERO_SHARES]
)
def test_a_share_of_zero_percent_is_refused_with_its_reason(base, name, message):
    @given(inputs=base)
    def check(inputs):  # type: ignore[no-untyped-def]
        with pytest.raises(ObligationInputError) as error:
            compute_obligation(replace(inputs, **{name: Decimal(0)}))
        assert error.value.errors == {name: message}

    check()


def test_missing_and_out_of_range_inputs_are_named_in_french():
    inputs = ObligationInputs(
        mode=ObligationMode.AMOUNT_BASED,
        amount=Decimal(-1),
        labour_share=Decimal("1.5"),
        hourly_cost=Decimal(0),
    )
    with pytest.raises(ObligationInputError) as error:
        compute_obligation(inputs)
    assert error.value.errors == {
        "amount": "La valeur ne peut pas être négative.",
        "labour_share": "Un pourcentage ne peut pas dépasser 100 %.",
        "insertion_rate": "Ce champ est nécessaire pour ce mode de calcul.",
        "hourly_cost": "La valeur doit être supérieure à zéro.",
    }
