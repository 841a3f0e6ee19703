"""Statistical secrecy of open data: no figure about fewer than 5 persons. Pure: no Django.

Open data publishes tables of *person counts* (participants by sex, by age band…) and of
*hours* (by year, by buyer, by execution mode). Both could identify someone when they
rest on 1 to 4 persons, so they are masked ("secret statistique") as follows.

Primary suppression
    A count of 1 to 4 persons is masked. A count of 0 is shown as 0: it is the standard
    practice and it is safe (it reveals that nobody is in a category, not who is). An
    hours figure is masked when the persons behind it are 1 to 4: 300 hours worked by
    one person are that person's working time.

Secondary suppression (totals stay consistent)
    A series publishes its total, and the total is always the true sum of its cells (it is
    never altered nor rounded: the headline "258 000 heures" stays exact). If exactly one
    cell were masked, it would be the total minus the shown cells. So when a series has
    exactly one masked cell and shows its total, the smallest other non-zero cell is masked
    too: the reader learns the sum of the two masked cells, not either of them. Masking the
    smallest one hides as little as possible. Should no other cell be available (every
    other cell is 0), the total is masked instead.

    Hence, in every series whose total is shown: shown cells + masked cells = total, and
    the number of masked cells is 0 or at least 2.

Totals
    The total of a series is masked when the persons behind it are 1 to 4 (a total of 3
    persons, or the hours of 3 persons).

Non-additive series
    When a person may count in several cells (a participant who is both on RSA and a QPV
    resident counts in each public), the cells do not add up to the total, so no cell can
    be recomputed by subtraction: only primary suppression applies.

Limits
    Each series is protected on its own; cross-tabulating two published series (hours by
    buyer and hours by year of the same territory) is not audited. The tables published
    are one-dimensional and coarse (years, buyers, modes), which keeps that risk low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

THRESHOLD = 5
# The mark shown in place of a masked figure.
MARK = "< 5"

N = TypeVar("N", int, Decimal)


def is_small(persons: int) -> bool:
    """Does a figure resting on ``persons`` persons risk identifying them (1 to 4)?"""
    return 0 < persons < THRESHOLD


@dataclass(frozen=True)
class Cell(Generic[N]):
    """A published figure: its true value is kept only when it is shown."""

    key: str
    label: str
    value: N | None  # None when masked

    @property
    def masked(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class MaskedSeries(Generic[N]):
    """A series after statistical secrecy; ``total`` is None when masked."""

    cells: tuple[Cell[N], ...]
    total: N | None
    additive: bool = True

    @property
    def masked_count(self) -> int:
        return sum(1 for cell in self.cells if cell.masked)

    @property
    def shown_sum(self) -> N | int:
        return sum((cell.value for cell in self.cells if cell.value is not None), 0)


@dataclass(frozen=True)
class Row(Generic[N]):
    """A cell before secrecy: its value and the number of persons behind it."""

    key: str
    label: str
    value: N
    persons: int


def mask_total(value: N, persons: int) -> N | None:
    """A single figure (a headline) resting on ``persons`` persons, or None if masked."""
    return None if is_small(persons) else value


def mask_series(
    rows: Sequence[Row[N]], *, total_persons: int | None = None, additive: bool = True
) -> MaskedSeries[N]:
    """Apply primary and secondary suppression to one series.

    ``total_persons`` is the number of distinct persons behind the whole series (a person
    may appear in several rows of hours, so it may be less than the sum of the rows'
    persons); it defaults to that sum. With ``additive=False`` (a person counts in several
    cells) only primary suppression applies and the total is the caller's ``rows`` sum.
    """
    if total_persons is None:
        total_persons = sum(row.persons for row in rows)
    total: N | int = sum((row.value for row in rows), 0)
    masked = [is_small(row.persons) for row in rows]
    total_masked = is_small(total_persons)
    if additive and not total_masked and masked.count(True) == 1:
        candidates = [
            index for index, row in enumerate(rows) if not masked[index] and row.value > 0
        ]
        if candidates:
            # The smallest other cell, the first one on a tie (stable, so reproducible).
            second = min(candidates, key=lambda index: (rows[index].value, index))
            masked[second] = True
        else:
            total_masked = True
    cells = tuple(
        Cell(key=row.key, label=row.label, value=None if hidden else row.value)
        for row, hidden in zip(rows, masked, strict=True)
    )
    shown_total = None if total_masked else total
    return MaskedSeries(cells=cells, total=shown_total, additive=additive)  # type: ignore[arg-type]


def mask_counts(
    rows: Sequence[tuple[str, str, int]], *, total: int | None = None, additive: bool = True
) -> MaskedSeries[int]:
    """A series of person counts ``(key, label, count)``: each count is its own persons.

    For a non-additive series, ``total`` is the number of distinct persons (shown unless
    1 to 4); for an additive one it must be the sum of the counts, or None.
    """
    masked = mask_series(
        [Row(key=key, label=label, value=count, persons=count) for key, label, count in rows],
        total_persons=total,
        additive=additive,
    )
    if not additive and total is not None:
        return MaskedSeries(cells=masked.cells, total=mask_total(total, total), additive=False)
    return masked
