"""Statistical secrecy of open data: properties that must hold for any table of counts."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tremplin.reporting.anonymity import (
    THRESHOLD,
    Row,
    is_small,
    mask_counts,
    mask_series,
    mask_total,
)

counts = st.lists(st.integers(min_value=0, max_value=60), max_size=8)


def _rows(values: list[int]) -> list[tuple[str, str, int]]:
    return [(str(index), f"Catégorie {index}", value) for index, value in enumerate(values)]


@given(counts)
def test_no_count_of_one_to_four_is_ever_shown(values):
    series = mask_counts(_rows(values))
    shown = [cell.value for cell in series.cells if cell.value is not None]
    assert not any(is_small(value) for value in shown)
    assert series.total is None or not is_small(series.total)


@given(counts)
def test_shown_and_masked_cells_add_up_to_the_shown_total(values):
    series = mask_counts(_rows(values))
    if series.total is not None:
        assert series.total == sum(values)
        masked_sum = sum(
            value for value, cell in zip(values, series.cells, strict=True) if cell.masked
        )
        assert series.shown_sum + masked_sum == series.total


@given(counts)
def test_no_masked_cell_can_be_recomputed_from_the_total(values):
    series = mask_counts(_rows(values))
    if series.total is not None:
        assert series.masked_count != 1


@given(counts)
def test_only_what_must_be_hidden_is_hidden(values):
    """At most one cell is masked beyond the small ones (the secondary suppression)."""
    series = mask_counts(_rows(values))
    small = sum(1 for value in values if is_small(value))
    assert small <= series.masked_count <= small + 1
    # A shown value is always the true one.
    for value, cell in zip(values, series.cells, strict=True):
        assert cell.masked or cell.value == value


def test_zero_is_shown_and_the_smallest_other_cell_is_masked_with_a_lone_small_one():
    series = mask_counts(_rows([3, 0, 12, 7, 40]))
    assert [cell.value for cell in series.cells] == [None, 0, 12, None, 40]
    assert series.total == 62


def test_a_total_under_five_is_masked():
    series = mask_counts(_rows([2, 1, 0]))
    assert series.total is None
    assert [cell.value for cell in series.cells] == [None, None, 0]


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=5000)),
        max_size=8,
    )
)
def test_hours_of_fewer_than_five_persons_are_masked_and_never_recomputable(rows):
    # Hours exist only where persons worked them.
    rows = [(persons, hours if persons else 0) for persons, hours in rows]
    series = mask_series(
        [
            Row(key=str(index), label=str(index), value=Decimal(hours), persons=persons)
            for index, (persons, hours) in enumerate(rows)
        ]
    )
    for (persons, _hours), cell in zip(rows, series.cells, strict=True):
        assert not (is_small(persons) and not cell.masked)
    if series.total is not None:
        assert series.masked_count != 1
        assert series.total == sum(Decimal(hours) for _persons, hours in rows)
        assert sum(persons for persons, _hours in rows) >= THRESHOLD or all(
            persons == 0 for persons, _hours in rows
        )


def test_hours_total_follows_the_distinct_persons_behind_it():
    # Two buyers, the same 3 persons on both: 6 rows of persons but 3 distinct people.
    rows = [
        Row(key="a", label="A", value=Decimal(300), persons=3),
        Row(key="b", label="B", value=Decimal(200), persons=3),
    ]
    assert mask_series(rows, total_persons=3).total is None
    assert mask_series(rows, total_persons=6).total == Decimal(500)


def test_a_non_additive_series_masks_only_the_small_cells():
    series = mask_counts(_rows([3, 9, 12]), total=15, additive=False)
    assert [cell.value for cell in series.cells] == [None, 9, 12]
    assert series.total == 15
    assert mask_counts(_rows([3, 2]), total=4, additive=False).total is None


def test_a_headline_figure_is_masked_under_five_persons():
    assert mask_total(Decimal(350), persons=2) is None
    assert mask_total(Decimal(350), persons=5) == Decimal(350)
    assert mask_total(0, persons=0) == 0
