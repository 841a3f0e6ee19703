"""Figures of hiring needs, referrals and pathways: delays, shares and rates. No Django.

The selectors read plain tuples from the database; this module turns them into the
figures of the dashboards, so that every rule can be tested on its own:

- time to fill: the days between a need's publication and the day it was filled;
- share of posts filled by a public: among the hires, those whose participant holds the
  criterion (confirmed) or whose referral vouched for it; a person counts for every
  criterion held, so the shares of the publics do not add up to 100 %;
- referrals per prescriber: their current stage, and the share that ended in a hire;
- durable job at 6 months: among the people whose situation six months after leaving is
  recorded, those in a durable job.

A figure without anything to compute from is ``None``, shown as « — ».
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tremplin.matching.pipeline import NeedStatus, ReferralStatus
from tremplin.reporting.summary import grouped, plural

EMPTY = "—"
SECONDS_PER_DAY = 86_400

# The stages of a referral, in the order of the pipeline.
STAGES: tuple[ReferralStatus, ...] = (
    ReferralStatus.REFERRED,
    ReferralStatus.SHORTLISTED,
    ReferralStatus.INTERVIEW,
    ReferralStatus.HIRED,
    ReferralStatus.NOT_RETAINED,
)


# --- Plain statistics ----------------------------------------------------------------


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)


WHOLE_PERCENT = Decimal("0.01")


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole``, between 0 and 1, to the whole percent (2 of 3 is 0.67: the
    ``percent`` filter cuts decimals off rather than rounding them); None when there is
    no whole."""
    if part < 0 or part > whole:
        raise ValueError(f"Une part ({part}) doit être comprise entre 0 et le tout ({whole}).")
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(WHOLE_PERCENT, rounding=ROUND_HALF_UP)


def elapsed_days(start: datetime, end: datetime) -> Decimal:
    """Days from ``start`` to ``end``, with their fraction (never negative)."""
    seconds = Decimal(str((end - start).total_seconds()))
    return max(seconds / SECONDS_PER_DAY, Decimal(0))


def days_label(days: Decimal | None) -> str:
    """« 23 jours », « moins d'un jour », or « — » when there is nothing to measure."""
    if days is None:
        return EMPTY
    whole = int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole == 0:
        return "moins d'un jour"
    return f"{grouped(whole)} {plural(whole, 'jour', 'jours')}"


# --- Time to fill a need -------------------------------------------------------------


@dataclass(frozen=True)
class NeedRow:
    """A hiring need as the selector reads it."""

    status: str
    positions: int
    published_at: datetime | None
    filled_at: datetime | None
    hired: int  # referrals hired on the need


@dataclass(frozen=True)
class TimeToFill:
    filled: int  # needs filled in the period
    median_days: Decimal | None
    mean_days: Decimal | None
    open_needs: int  # needs published and not filled yet, today
    open_positions: int  # their posts not filled yet

    @property
    def median_label(self) -> str:
        return days_label(self.median_days)

    @property
    def mean_label(self) -> str:
        return days_label(self.mean_days)


def time_to_fill(
    needs: Iterable[NeedRow], *, period_start: datetime, period_end: datetime
) -> TimeToFill:
    """Delays of the needs filled in [period_start, period_end[, and the needs open now."""
    delays: list[Decimal] = []
    open_needs = open_positions = 0
    for need in needs:
        if need.status == NeedStatus.PUBLISHED:
            open_needs += 1
            open_positions += max(need.positions - need.hired, 0)
        elif (
            need.status == NeedStatus.FILLED
            and need.published_at is not None
            and need.filled_at is not None
            and period_start <= need.filled_at < period_end
        ):
            delays.append(elapsed_days(need.published_at, need.filled_at))
    return TimeToFill(
        filled=len(delays),
        median_days=median(delays),
        mean_days=mean(delays),
        open_needs=open_needs,
        open_positions=open_positions,
    )


# --- Posts filled by each public -----------------------------------------------------


def is_rsa(code: str) -> bool:
    """Whether a criterion's code names RSA beneficiaries (``rsa``, ``rsa_socle``…)."""
    return "rsa" in code.lower().replace("-", "_").split("_")


@dataclass(frozen=True)
class Criterion:
    pk: int
    code: str
    label: str


@dataclass(frozen=True)
class PublicShare:
    code: str
    label: str
    hires: int
    share: Decimal | None


@dataclass(frozen=True)
class PublicFigures:
    hires: int
    rsa: PublicShare | None  # None when the network has no RSA criterion
    publics: list[PublicShare] = field(default_factory=list)  # RSA first, then by order


def public_shares(
    held_by_hire: Mapping[int, frozenset[int]], criteria: Sequence[Criterion]
) -> PublicFigures:
    """For each criterion of ``criteria`` (in their order, RSA first) held by at least
    one hire, the hires holding it and their share of all hires.

    ``held_by_hire`` maps every hire to the criteria it holds (empty when none).
    """
    hires = len(held_by_hire)
    counts = {criterion.pk: 0 for criterion in criteria}
    rsa_ids = frozenset(criterion.pk for criterion in criteria if is_rsa(criterion.code))
    rsa_hires = 0
    for held in held_by_hire.values():
        for pk in held:
            if pk in counts:
                counts[pk] += 1
        if held & rsa_ids:
            rsa_hires += 1
    ordered = sorted(criteria, key=lambda criterion: not is_rsa(criterion.code))
    publics = [
        PublicShare(
            code=criterion.code,
            label=criterion.label,
            hires=counts[criterion.pk],
            share=share(counts[criterion.pk], hires),
        )
        for criterion in ordered
        if counts[criterion.pk]
    ]
    rsa = (
        PublicShare(
            code="rsa",
            label="Bénéficiaires du RSA",
            hires=rsa_hires,
            share=share(rsa_hires, hires),
        )
        if rsa_ids
        else None
    )
    return PublicFigures(hires=hires, rsa=rsa, publics=publics)


# --- Referrals and hires per prescriber ----------------------------------------------


@dataclass(frozen=True)
class PrescriberRow:
    prescriber_id: int | None  # None for the total
    name: str
    by_stage: Mapping[str, int]

    @property
    def referred(self) -> int:
        """Every referral, whatever its stage."""
        return sum(self.by_stage.values())

    @property
    def hired(self) -> int:
        return self.count(ReferralStatus.HIRED)

    @property
    def hire_rate(self) -> Decimal | None:
        return share(self.hired, self.referred)

    def count(self, stage: str) -> int:
        return self.by_stage.get(stage, 0)


def prescriber_rows(counts: Iterable[tuple[int, str, str, int]]) -> list[PrescriberRow]:
    """Rows of (prescriber id, name, stage, referrals) as one row per prescriber, the most
    hires first, then the most referrals, then by name."""
    names: dict[int, str] = {}
    stages: dict[int, dict[str, int]] = {}
    for prescriber_id, name, stage, count in counts:
        names[prescriber_id] = name
        by_stage = stages.setdefault(prescriber_id, {})
        by_stage[stage] = by_stage.get(stage, 0) + count
    rows = [
        PrescriberRow(prescriber_id=pk, name=names[pk], by_stage=by_stage)
        for pk, by_stage in stages.items()
    ]
    return sorted(rows, key=lambda row: (-row.hired, -row.referred, row.name, row.prescriber_id))


def prescriber_total(rows: Iterable[PrescriberRow]) -> PrescriberRow:
    by_stage: dict[str, int] = {}
    for row in rows:
        for stage, count in row.by_stage.items():
            by_stage[stage] = by_stage.get(stage, 0) + count
    return PrescriberRow(prescriber_id=None, name="Total", by_stage=by_stage)


# --- Durable job six months after leaving --------------------------------------------


@dataclass(frozen=True)
class DurableOutcomes:
    recorded: int  # people whose six-month situation was recorded in the period
    durable: int  # of whom in a durable job
    to_record: int  # exits whose six-month situation is due and not recorded yet

    def __post_init__(self) -> None:
        if not 0 <= self.durable <= self.recorded:
            raise ValueError("Les emplois durables sont comptés parmi les situations saisies.")

    @property
    def share(self) -> Decimal | None:
        return share(self.durable, self.recorded)
