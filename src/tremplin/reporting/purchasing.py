"""Responsible purchasing indicators (SPASER) of a buyer, year by year. Pure: no Django.

Two sources describe a buyer's contracts: the contracts followed in Tremplin (their social
and environmental considerations checked by the facilitator) and the national open data
of public contracts (DECP). A contract counts once: a DECP record linked to a followed
contract is that contract (its checked flags win); two DECP records linked to the same
contract are one contract; every other record and every other contract counts once.

Shares are ratios (0.182 for 18,2 %) rounded to a tenth of a percent; a share of nothing
is None, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

SHARE_QUANTUM = Decimal("0.001")
POINTS_QUANTUM = Decimal("0.1")

# The plan national pour des achats durables (PNAD) 2022-2025 sets, for 2025, 30 % of the
# contracts notified in the year with at least one social consideration (and 100 % with an
# environmental one). The issue names the social target: it is the one measured here.
SOCIAL_TARGET = Decimal("0.30")


class Source(StrEnum):
    TRACKED = "suivi"  # a contract followed in Tremplin
    DECP = "decp"  # a record of the open procurement data


@dataclass(frozen=True)
class PurchaseRow:
    """One contract, or ``count`` contracts of the same year, source and flags already
    grouped by the database (a grouped row has no ``contract``); ``amount`` is the amount
    excluding tax of them all.

    ``contract`` is the followed contract the row is (source TRACKED) or is linked to
    (source DECP); ``year`` is None when the contract has no date to place it in a year.
    """

    year: int | None
    amount: Decimal
    social: bool
    environmental: bool
    reserved: bool
    source: Source
    contract: int | None = None
    count: int = 1


def merge(rows: Iterable[PurchaseRow]) -> list[PurchaseRow]:
    """The rows that count: a DECP record linked to a followed contract among the rows, or
    to a contract an earlier DECP record is already linked to, is left out."""
    rows = list(rows)
    followed = {
        row.contract for row in rows if row.source is Source.TRACKED and row.contract is not None
    }
    seen: set[int] = set()
    kept = []
    for row in rows:
        if row.source is Source.DECP and row.contract is not None:
            if row.contract in followed or row.contract in seen:
                continue
            seen.add(row.contract)
        kept.append(row)
    return kept


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` of ``whole`` rounded to a tenth of a percent, or None for 0 of 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def points(change: Decimal) -> Decimal:
    """A difference of two shares in percentage points (0.05 → 5.0)."""
    return (change * 100).quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tally:
    count: int = 0
    amount: Decimal = Decimal(0)

    def plus(self, row: PurchaseRow) -> Tally:
        return Tally(self.count + row.count, self.amount + row.amount)


CONSIDERATIONS = ("social", "environmental", "reserved")


def has(row: PurchaseRow, name: str) -> bool:
    """A reserved contract is a social consideration in itself (DECP and code alike)."""
    if name == "social":
        return row.social or row.reserved
    return bool(getattr(row, name))


@dataclass(frozen=True)
class YearIndicators:
    year: int
    all: Tally = field(default_factory=Tally)
    social: Tally = field(default_factory=Tally)
    environmental: Tally = field(default_factory=Tally)
    reserved: Tally = field(default_factory=Tally)
    tracked: int = 0  # contracts counted from Tremplin
    decp: int = 0  # contracts counted from the DECP alone
    previous: YearIndicators | None = None  # the calendar year before, when shown

    def tally(self, name: str) -> Tally:
        return getattr(self, name)  # type: ignore[no-any-return]

    def count_share(self, name: str) -> Decimal | None:
        return share(self.tally(name).count, self.all.count)

    def amount_share(self, name: str) -> Decimal | None:
        return share(self.tally(name).amount, self.all.amount)

    @property
    def social_share(self) -> Decimal | None:
        return self.count_share("social")

    @property
    def social_amount_share(self) -> Decimal | None:
        return self.amount_share("social")

    @property
    def environmental_share(self) -> Decimal | None:
        return self.count_share("environmental")

    @property
    def environmental_amount_share(self) -> Decimal | None:
        return self.amount_share("environmental")

    @property
    def reserved_share(self) -> Decimal | None:
        return self.count_share("reserved")

    @property
    def reserved_amount_share(self) -> Decimal | None:
        return self.amount_share("reserved")

    @property
    def gap_to_target(self) -> Decimal | None:
        """Points of social share above (positive) or below (negative) the target."""
        if self.social_share is None:
            return None
        return points(self.social_share - SOCIAL_TARGET)

    @property
    def meets_target(self) -> bool:
        return self.social_share is not None and self.social_share >= SOCIAL_TARGET

    def change(self, name: str) -> Decimal | None:
        """Change of the share of contracts with ``name`` since the year before, in points."""
        if self.previous is None:
            return None
        now, before = self.count_share(name), self.previous.count_share(name)
        if now is None or before is None:
            return None
        return points(now - before)

    @property
    def social_change(self) -> Decimal | None:
        return self.change("social")

    @property
    def environmental_change(self) -> Decimal | None:
        return self.change("environmental")

    @property
    def reserved_change(self) -> Decimal | None:
        return self.change("reserved")


@dataclass(frozen=True)
class Purchasing:
    """The indicators of every year from the first to the last with a contract."""

    years: list[YearIndicators]
    undated: int  # contracts counted nowhere: no date places them in a year

    def of_year(self, year: int) -> YearIndicators:
        for indicators in self.years:
            if indicators.year == year:
                return indicators
        before = next((item for item in self.years if item.year == year - 1), None)
        return YearIndicators(year=year, previous=before)

    @property
    def target(self) -> Decimal:
        return SOCIAL_TARGET


def _add(indicators: YearIndicators, row: PurchaseRow) -> YearIndicators:
    def counted(name: str) -> Tally:
        tally = indicators.tally(name)
        return tally.plus(row) if has(row, name) else tally

    return YearIndicators(
        year=indicators.year,
        all=indicators.all.plus(row),
        social=counted("social"),
        environmental=counted("environmental"),
        reserved=counted("reserved"),
        tracked=indicators.tracked + (row.count if row.source is Source.TRACKED else 0),
        decp=indicators.decp + (row.count if row.source is Source.DECP else 0),
    )


def purchasing(rows: Iterable[PurchaseRow]) -> Purchasing:
    """Merge the two sources and count each year; the years between the first and the last
    are all listed, so that a trend never jumps over a year without contracts."""
    by_year: dict[int, YearIndicators] = {}
    undated = 0
    for row in merge(rows):
        if row.count <= 0:
            continue
        if row.year is None:
            undated += row.count
            continue
        by_year[row.year] = _add(by_year.get(row.year) or YearIndicators(year=row.year), row)
    years: list[YearIndicators] = []
    if by_year:
        previous: YearIndicators | None = None
        for year in range(min(by_year), max(by_year) + 1):
            counted = by_year.get(year) or YearIndicators(year=year)
            current = YearIndicators(
                year=year,
                all=counted.all,
                social=counted.social,
                environmental=counted.environmental,
                reserved=counted.reserved,
                tracked=counted.tracked,
                decp=counted.decp,
                previous=previous,
            )
            years.append(current)
            previous = current
    return Purchasing(years=years, undated=undated)
