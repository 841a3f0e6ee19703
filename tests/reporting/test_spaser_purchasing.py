"""Responsible purchasing indicators, computed from plain rows: shares, merge, trend."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.reporting.purchasing import (
    SOCIAL_TARGET,
    PurchaseRow,
    Source,
    merge,
    purchasing,
)

YEARS = st.integers(min_value=2019, max_value=2026)
AMOUNTS = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@st.composite
def rows(draw: st.DrawFn) -> list[PurchaseRow]:
    """Followed contracts (ids 1 to 20, each once) and DECP records, some linked to a
    followed contract, some to the same contract as another record, some to nothing."""
    followed = draw(st.sets(st.integers(min_value=1, max_value=20), max_size=10))
    result = [
        PurchaseRow(
            year=draw(YEARS),
            amount=draw(AMOUNTS),
            social=draw(st.booleans()),
            environmental=draw(st.booleans()),
            reserved=draw(st.booleans()),
            source=Source.TRACKED,
            contract=contract,
        )
        for contract in followed
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=15))):
        reserved = draw(st.booleans())
        result.append(
            PurchaseRow(
                year=draw(st.one_of(st.none(), YEARS)),
                amount=draw(AMOUNTS),
                social=reserved or draw(st.booleans()),
                environmental=draw(st.booleans()),
                reserved=reserved,
                source=Source.DECP,
                contract=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=30))),
            )
        )
    return draw(st.permutations(result))


def _distinct_contracts(all_rows: list[PurchaseRow]) -> int:
    """What a person counting by hand finds: each followed contract, each contract some
    record is linked to, each unlinked record."""
    linked = {row.contract for row in all_rows if row.contract is not None}
    unlinked = [row for row in all_rows if row.contract is None]
    return len(linked) + len(unlinked)


@given(rows())
def test_each_contract_counts_once_whatever_the_sources(all_rows: list[PurchaseRow]) -> None:
    result = purchasing(all_rows)
    counted = sum(year.all.count for year in result.years) + result.undated
    assert counted == _distinct_contracts(all_rows)


@given(rows())
def test_a_record_linked_to_a_followed_contract_never_counts(all_rows: list[PurchaseRow]) -> None:
    kept = merge(all_rows)
    followed = {row.contract for row in all_rows if row.source is Source.TRACKED}
    assert all(
        row.contract not in followed for row in kept if row.source is Source.DECP and row.contract
    )
    assert [row for row in kept if row.source is Source.TRACKED] == [
        row for row in all_rows if row.source is Source.TRACKED
    ]


@given(rows())
def test_shares_are_ratios_and_parts_never_exceed_the_whole(all_rows: list[PurchaseRow]) -> None:
    for year in purchasing(all_rows).years:
        assert year.reserved.count <= year.social.count <= year.all.count
        assert year.environmental.count <= year.all.count
        assert year.social.amount <= year.all.amount
        assert year.tracked + year.decp == year.all.count
        for name in ("social", "environmental", "reserved"):
            for value in (year.count_share(name), year.amount_share(name)):
                assert value is None or Decimal(0) <= value <= Decimal(1)
        if year.all.count == 0:
            assert year.social_share is None
            assert year.gap_to_target is None


@given(rows())
def test_amounts_add_up_to_the_rows_counted(all_rows: list[PurchaseRow]) -> None:
    kept = [row for row in merge(all_rows) if row.year is not None]
    result = purchasing(all_rows)
    assert sum((year.all.amount for year in result.years), Decimal(0)) == sum(
        (row.amount for row in kept), Decimal(0)
    )


@given(rows())
def test_the_trend_lists_every_year_and_its_change_in_points(all_rows: list[PurchaseRow]) -> None:
    years = purchasing(all_rows).years
    assert [year.year for year in years] == list(
        range(years[0].year, years[-1].year + 1) if years else []
    )
    for before, after in itertools.pairwise(years):
        if before.social_share is not None and after.social_share is not None:
            expected = ((after.social_share - before.social_share) * 100).quantize(Decimal("0.1"))
            assert after.social_change == expected
        else:
            assert after.social_change is None


def _row(year: int, source: Source, social: bool = False, **fields: object) -> PurchaseRow:
    values: dict[str, object] = {
        "year": year,
        "amount": Decimal(100),
        "social": social,
        "environmental": False,
        "reserved": False,
        "source": source,
    }
    values.update(fields)
    return PurchaseRow(**values)  # type: ignore[arg-type]


def test_the_followed_contracts_flags_win_over_its_published_record() -> None:
    result = purchasing(
        [
            _row(2025, Source.TRACKED, social=False, contract=7),
            _row(2025, Source.DECP, social=True, contract=7, amount=Decimal(999)),
        ]
    )
    year = result.of_year(2025)
    assert (year.all.count, year.social.count, year.all.amount) == (1, 0, Decimal(100))
    assert (year.tracked, year.decp) == (1, 0)


def test_the_gap_to_the_national_target_of_thirty_percent() -> None:
    assert Decimal("0.30") == SOCIAL_TARGET
    # 2 of 11 contracts: 18,2 %, 11,8 points under the target.
    rows = [_row(2025, Source.DECP, social=index < 2) for index in range(11)]
    year = purchasing(rows).of_year(2025)
    assert year.social_share == Decimal("0.182")
    assert year.gap_to_target == Decimal("-11.8")
    assert not year.meets_target
    # A reserved contract is a social consideration, whatever the row says.
    reserved = purchasing([_row(2025, Source.DECP, reserved=True)]).of_year(2025)
    assert reserved.social.count == 1
    assert reserved.meets_target


def test_grouped_rows_count_as_many_contracts() -> None:
    year = purchasing([_row(2024, Source.DECP, social=True, count=3, amount=Decimal(300))]).of_year(
        2024
    )
    assert (year.all.count, year.social.count, year.all.amount) == (3, 3, Decimal(300))
