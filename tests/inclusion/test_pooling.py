"""Pooled hours, the computation: shares by rule, and splits that add up to the hundredth."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.inclusion import pooling
from tremplin.inclusion.enums import SharingRule

CENT = Decimal("0.01")


def test_the_rules_are_those_the_facilitator_chooses_from():
    assert set(SharingRule.values) == pooling.RULES


def test_pro_rata_of_obligations_explained_as_buyers_read_it():
    shares = pooling.shares("obligation", {"mairie": Decimal(6946), "bailleur": Decimal(11334)})

    assert shares == {"mairie": Decimal("0.379978"), "bailleur": Decimal("0.620022")}
    assert sum(shares.values()) == 1
    assert pooling.formula("obligation", Decimal(6946), Decimal(18280), shares["mairie"], 2) == (
        "6\u202f946 h ÷ 18\u202f280 h = 38,0\u00a0%"
    )


def test_equal_shares_sum_to_one_exactly():
    shares = pooling.shares("equal", {1: Decimal(5), 2: Decimal(0), 3: Decimal(9)})
    assert sum(shares.values()) == 1
    assert max(shares.values()) - min(shares.values()) <= pooling.SHARE_UNIT


def test_no_obligation_anywhere_means_equal_shares():
    bases = {1: Decimal(0), 2: Decimal(0)}
    assert pooling.falls_back_to_equal("obligation", bases)
    assert pooling.shares("obligation", bases) == {1: Decimal("0.5"), 2: Decimal("0.5")}
    assert pooling.formula("obligation", Decimal(0), Decimal(0), Decimal("0.5"), 2).startswith(
        "aucune heure à répartir au prorata"
    )


def test_a_contract_without_obligation_among_others_is_refused():
    with pytest.raises(ValueError, match="n'exige aucune heure"):
        pooling.shares("obligation", {1: Decimal(0), 2: Decimal(700)})


def test_manual_shares_must_make_one_hundred_percent():
    assert pooling.shares("manual", {1: Decimal(40), 2: Decimal(60)}) == {
        1: Decimal("0.4"),
        2: Decimal("0.6"),
    }
    with pytest.raises(ValueError, match="totalisent 95 % : elles doivent totaliser exactement"):
        pooling.shares("manual", {1: Decimal(40), 2: Decimal(55)})
    with pytest.raises(ValueError, match="supérieure à 0 %"):
        pooling.shares("manual", {1: Decimal(100), 2: Decimal(0)})


def test_edge_cases_of_a_split():
    assert pooling.split(Decimal(0), {1: Decimal("0.4"), 2: Decimal("0.6")}) == {
        1: Decimal("0.00"),
        2: Decimal("0.00"),
    }
    assert pooling.split(Decimal("151.67"), {1: Decimal(1)}) == {1: Decimal("151.67")}
    with pytest.raises(ValueError, match="négatives"):
        pooling.split(Decimal(-1), {1: Decimal(1)})
    with pytest.raises(ValueError, match="Choisissez les marchés"):
        pooling.split(Decimal(10), {})


def test_a_month_split_three_ways_keeps_every_hundredth():
    parts = pooling.split(Decimal(100), pooling.shares("equal", {1: 1, 2: 1, 3: 1}))
    assert parts == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}


totals = st.integers(min_value=0, max_value=1_000_000).map(lambda cents: Decimal(cents) / 100)
weights = st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8).map(
    lambda values: {index: Decimal(value) for index, value in enumerate(values)}
)


@given(totals, weights)
def test_parts_sum_exactly_to_the_total(total, shares):
    assert sum(pooling.split(total, shares).values()) == total


@given(totals, weights)
def test_each_part_is_within_a_hundredth_of_its_exact_share(total, shares):
    weight_sum = sum(shares.values())
    for key, part in pooling.split(total, shares).items():
        exact = total * shares[key] / weight_sum
        assert abs(part - exact) < CENT
        assert part == part.quantize(CENT)


@given(totals, weights)
def test_a_split_is_deterministic(total, shares):
    assert pooling.split(total, shares) == pooling.split(total, dict(shares))


@given(totals, weights)
def test_a_larger_share_never_gets_fewer_hours(total, shares):
    parts = pooling.split(total, shares)
    for a in shares:
        for b in shares:
            if shares[a] > shares[b]:
                assert parts[a] >= parts[b]


# Obligations within a ratio of 1 to 100 000, so that no share falls under a millionth.
@given(st.lists(st.integers(min_value=1, max_value=10**5), min_size=1, max_size=8))
def test_pro_rata_shares_are_positive_and_sum_to_one(obligations):
    bases = {index: Decimal(value) for index, value in enumerate(obligations)}
    shares = pooling.shares("obligation", bases)
    assert sum(shares.values()) == 1
    assert all(0 < share <= 1 for share in shares.values())
