"""Clause opportunities computed from plain rows: which contracts, why, how many hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.decp.opportunities import (
    DEFAULT_CPV_PREFIXES,
    ContractRow,
    CpvPrefix,
    DefaultFormula,
    OpportunityRules,
    assess,
    find_opportunities,
    matching_prefix,
    summarise,
    top_opportunities,
    valid_prefix,
)

RULES = OpportunityRules(
    prefixes=DEFAULT_CPV_PREFIXES, min_amount=Decimal(90_000), min_duration_months=6
)
FORMULA = DefaultFormula(
    labour_share=Decimal("0.40"),
    insertion_rate=Decimal("0.07"),
    hourly_cost=Decimal(25),
    hours_per_fte=1607,
)


def row(
    key: int = 1,
    *,
    buyer: int = 1,
    cpv: str = "45214200-2",
    amount: str | None = "1200000",
    months: int | None = 18,
    year: int | None = 2025,
    covered: bool = False,
) -> ContractRow:
    return ContractRow(
        key=key,
        buyer_id=buyer,
        buyer_name=f"Acheteur {buyer}",
        notified_on=datetime.date(year, 3, 1) if year else None,
        cpv_code=cpv,
        amount=Decimal(amount) if amount is not None else None,
        duration_months=months,
        covered=covered,
    )


def test_a_large_building_contract_is_an_opportunity_and_says_why():
    eligibility = assess(row(), RULES)

    assert eligibility.eligible
    assert eligibility.reasons == (
        "CPV 45 travaux de construction",
        "montant ≥ 90\u00a0000\u00a0€",
        "durée ≥ 6\u00a0mois",
    )


def test_the_hours_are_those_of_the_default_formula():
    (found,) = find_opportunities([row()], RULES, FORMULA)

    # 1 200 000 € × 40 % × 7 % ÷ 25 € = 1 344 h
    assert found.hours == 1344


def test_the_hours_are_rounded_as_every_obligation():
    formula = DefaultFormula(Decimal("0.40"), Decimal("0.05"), Decimal(30), 1607)
    (found,) = find_opportunities([row(amount="1000000")], RULES, formula)

    assert found.obligation.exact_hours.quantize(Decimal("0.01")) == Decimal("666.67")
    assert found.hours == 667


def test_the_most_specific_prefix_names_the_work():
    assert matching_prefix("90910000-9", DEFAULT_CPV_PREFIXES) == CpvPrefix("909", "Nettoyage")
    assert matching_prefix("90500000", DEFAULT_CPV_PREFIXES) == CpvPrefix(
        "90", "Déchets, assainissement et propreté"
    )
    assert matching_prefix("72000000-5", DEFAULT_CPV_PREFIXES) is None
    assert matching_prefix("", DEFAULT_CPV_PREFIXES) is None


def test_what_a_contract_misses_is_told():
    assert assess(row(amount="50000"), RULES).missing == ("montant < 90\u00a0000\u00a0€",)
    assert assess(row(months=3), RULES).missing == ("durée < 6\u00a0mois",)
    assert assess(row(months=None), RULES).missing == ("durée inconnue",)
    assert assess(row(amount=None), RULES).missing == ("montant inconnu",)
    assert assess(row(cpv="72000000-5"), RULES).missing == (
        "CPV hors des travaux et services retenus",
    )


def test_without_a_minimum_duration_an_unknown_duration_is_no_obstacle():
    rules = OpportunityRules(DEFAULT_CPV_PREFIXES, Decimal(90_000), 0)
    assert assess(row(months=None), rules).eligible


def test_totals_by_buyer_and_by_year_and_the_share_covered():
    rows = [
        row(1, buyer=1, year=2025, covered=True),  # 1 344 h
        row(2, buyer=1, year=2024, amount="600000"),  # 672 h
        row(3, buyer=2, year=2025, amount="300000", cpv="90910000-9"),  # 336 h
        row(4, buyer=2, year=None, amount="50000"),  # too small
    ]
    summary = summarise(find_opportunities(rows, RULES, FORMULA), FORMULA.hours_per_fte)

    assert (summary.total.count, summary.total.hours) == (3, 2352)
    assert (summary.total.covered_count, summary.total.covered_hours) == (1, 1344)
    assert summary.total.covered_share_by_count == Decimal(1) / 3
    assert summary.whole_fte == 1
    assert [(item.buyer_id, item.totals.hours) for item in summary.by_buyer] == [
        (1, 2016),
        (2, 336),
    ]
    assert [(item.year, item.totals.count) for item in summary.by_year] == [(2025, 2), (2024, 1)]


def test_the_top_contracts_are_those_with_the_most_hours():
    found = find_opportunities(
        [row(1, amount="100000"), row(2, amount="900000"), row(3, amount="500000")],
        RULES,
        FORMULA,
    )
    assert [item.row.key for item in top_opportunities(found, 2)] == [2, 3]


def test_a_prefix_has_two_to_eight_digits():
    assert valid_prefix("45")
    assert valid_prefix("45214200")
    assert not valid_prefix("4")
    assert not valid_prefix("452142001")
    assert not valid_prefix("4a")
    assert not valid_prefix("٤٥")  # digits, but not the ones of a CPV code


# Properties ----------------------------------------------------------------------------

CPV_CODES = st.sampled_from(
    [
        *("45214200-2", "45000000", "90910000-9", "90500000-2", "55523100-3", "77310000-6"),
        *("72000000-5", "30192000-1", "", "7971000"),
    ]
)
rows_strategy = st.lists(
    st.builds(
        ContractRow,
        key=st.integers(min_value=1, max_value=10**6),
        buyer_id=st.integers(min_value=1, max_value=4),
        buyer_name=st.just("Acheteur"),
        notified_on=st.one_of(
            st.none(), st.dates(datetime.date(2019, 1, 1), datetime.date(2026, 12, 31))
        ),
        cpv_code=CPV_CODES,
        amount=st.one_of(
            st.none(),
            st.decimals(min_value=1, max_value=50_000_000, places=2),
        ),
        duration_months=st.one_of(st.none(), st.integers(min_value=0, max_value=96)),
        covered=st.booleans(),
    ),
    max_size=40,
)
formulas = st.builds(
    DefaultFormula,
    # A network's shares are above 0 % (a clause at 0 % would require nothing).
    labour_share=st.decimals(min_value=Decimal("0.01"), max_value=1, places=2),
    insertion_rate=st.decimals(min_value=Decimal("0.001"), max_value=1, places=3),
    hourly_cost=st.decimals(min_value=Decimal("0.01"), max_value=200, places=2),
    hours_per_fte=st.sampled_from([1607, 1820]),
)
amounts = st.decimals(min_value=0, max_value=5_000_000, places=0)
months = st.integers(min_value=0, max_value=60)


@given(rows_strategy, formulas, amounts, months)
def test_totals_are_the_sum_of_the_rows_and_shares_are_ratios(rows, formula, amount, duration):
    rules = OpportunityRules(DEFAULT_CPV_PREFIXES, amount, duration)
    found = find_opportunities(rows, rules, formula)
    summary = summarise(found, formula.hours_per_fte)

    assert summary.total.count == len(found)
    assert summary.total.hours == sum(item.hours for item in found)
    assert summary.total.covered_hours == sum(item.hours for item in found if item.row.covered)
    assert sum(item.totals.hours for item in summary.by_buyer) == summary.total.hours
    assert sum(item.totals.count for item in summary.by_year) == summary.total.count
    for totals in [summary.total, *(item.totals for item in summary.by_buyer)]:
        assert 0 <= totals.covered_share_by_count <= 1
        assert 0 <= totals.covered_share_by_hours <= 1


@given(rows_strategy, formulas, amounts, amounts, months, months)
def test_raising_a_threshold_never_adds_a_contract(rows, formula, low, high, short, long):
    low, high = sorted((low, high))
    short, long = sorted((short, long))
    loose = find_opportunities(rows, OpportunityRules(DEFAULT_CPV_PREFIXES, low, short), formula)
    strict = find_opportunities(rows, OpportunityRules(DEFAULT_CPV_PREFIXES, high, long), formula)

    assert {id(item.row) for item in strict} <= {id(item.row) for item in loose}
    assert sum(item.hours for item in strict) <= sum(item.hours for item in loose)


@given(rows_strategy, formulas)
def test_fewer_kinds_of_work_never_add_a_contract(rows, formula):
    everything = find_opportunities(rows, RULES, formula)
    building_only = find_opportunities(
        rows, OpportunityRules((CpvPrefix("45", "Travaux"),), Decimal(90_000), 6), formula
    )
    assert {id(item.row) for item in building_only} <= {id(item.row) for item in everything}
