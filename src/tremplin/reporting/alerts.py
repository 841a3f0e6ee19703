"""What a facilitator structure has to deal with today: the "À traiter" panel of the home
page and the daily digest email.

Four kinds of alerts, each scoped to the user's facilitator structures and computed in a
constant number of queries, whatever the number of contracts or placements:

- contracts falling behind the hours expected by today (status "late"), with the
  shortfall in hours;
- months gone by without any declaration: for each running placement of the structures'
  contracts, the last ``MISSING_MONTHS`` months (never the current one) without any
  hours entry, grouped by contract and employer;
- eligibility evidence about to lapse (within ``LAPSING_DAYS`` days) or already lapsed,
  for participants with a running placement;
- the queues of the facilitator: criteria declared by employers to check, hours declared
  waiting for review;
- exits whose situation six months later is due and not recorded yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from tremplin.core.months import month_name
from tremplin.inclusion.enums import CriterionStatus
from tremplin.inclusion.models import HoursEntry, ParticipantCriterion, Placement
from tremplin.inclusion.selectors import (
    HoursTotals,
    criteria_to_check,
    hours_awaiting_review,
    hours_totals,
    placements_visible_to,
    six_month_follow_ups_due,
)
from tremplin.organisations.access import UserScope
from tremplin.reporting.selectors import ContractRow, late_contracts

# How many past months are checked for missing declarations.
MISSING_MONTHS = 3
# Evidence lapsing within that many days is announced.
LAPSING_DAYS = 30
# How many lapsing criteria are listed one by one.
LAPSING_SHOWN = 10
# How many late contracts and missing declarations are listed one by one.
LATE_SHOWN = 5
MISSING_SHOWN = 10


def french_month(month: date) -> str:
    """``octobre 2026``."""
    return month_name(month)


def shift_month(month: date, offset: int) -> date:
    """The first day of the month ``offset`` months after ``month``'s."""
    year, index = divmod(month.month - 1 + offset, 12)
    return date(month.year + year, index + 1, 1)


def past_months(today: date, count: int = MISSING_MONTHS) -> list[date]:
    """The ``count`` months before the current one, the most recent first."""
    current = today.replace(day=1)
    return [shift_month(current, -offset) for offset in range(1, count + 1)]


@dataclass(frozen=True)
class LateContract:
    pk: int
    reference: str
    title: str
    hours_expected: Decimal
    hours_validated: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.hours_expected - self.hours_validated)


@dataclass(frozen=True)
class MissingDeclaration:
    """An employer declared nothing for a month on some of its placements of a contract."""

    contract_id: int
    contract_reference: str
    employer_id: int
    employer_name: str
    month: date
    placements: int

    @property
    def month_label(self) -> str:
        return french_month(self.month)

    @property
    def sentence(self) -> str:
        plural = "s" if self.placements > 1 else ""
        return (
            f"{self.employer_name} n'a rien déclaré pour {self.month_label} sur "
            f"{self.placements} mise{plural} en emploi du marché {self.contract_reference}"
        )


@dataclass(frozen=True)
class LapsingEvidence:
    criterion_id: int
    participant_id: int
    participant_name: str
    criterion_label: str
    valid_until: date
    lapsed: bool


@dataclass(frozen=True)
class Alerts:
    today: date
    late: list[LateContract] = field(default_factory=list)
    missing: list[MissingDeclaration] = field(default_factory=list)
    lapsing: list[LapsingEvidence] = field(default_factory=list)
    lapsing_count: int = 0
    criteria_to_check: int = 0
    hours_to_review: int = 0
    hours_to_review_total: Decimal = Decimal(0)
    # Exits whose six-month situation is due and not recorded (see inclusion.followup).
    outcomes_due: int = 0

    @property
    def late_shortfall(self) -> Decimal:
        return sum((row.shortfall for row in self.late), Decimal(0))

    @property
    def missing_shown(self) -> list[MissingDeclaration]:
        return self.missing[:MISSING_SHOWN]

    @property
    def missing_hidden(self) -> int:
        return max(0, len(self.missing) - MISSING_SHOWN)

    @property
    def late_shown(self) -> list[LateContract]:
        return self.late[:LATE_SHOWN]

    @property
    def late_hidden(self) -> int:
        return max(0, len(self.late) - LATE_SHOWN)

    @property
    def lapsing_hidden(self) -> int:
        return max(0, self.lapsing_count - len(self.lapsing))

    @property
    def count(self) -> int:
        """How many things to deal with (lines of the panel)."""
        return (
            len(self.late)
            + len(self.missing)
            + self.lapsing_count
            + self.criteria_to_check
            + self.hours_to_review
            + self.outcomes_due
        )

    def __bool__(self) -> bool:
        return self.count > 0


def _late(rows: list[ContractRow]) -> list[LateContract]:
    late = [
        LateContract(
            pk=row.pk,
            reference=row.reference,
            title=row.title,
            hours_expected=row.hours_expected,
            hours_validated=row.hours_validated,
        )
        for row in rows
    ]
    return sorted(late, key=lambda row: (-row.shortfall, row.reference))


def missing_declarations(scope: UserScope, *, today: date) -> list[MissingDeclaration]:
    """Months without any hours entry, by contract and employer (one query)."""
    months = past_months(today)
    placements = placements_visible_to(scope).filter(
        contract__facilitator_id__in=scope.facilitator_ids
    )
    counts = {}
    for index, month in enumerate(months):
        month_end = shift_month(month, 1) - timedelta(days=1)
        declared = HoursEntry.objects.filter(placement_id=OuterRef("pk"), month=month)
        placements = placements.annotate(**{f"declared_{index}": Exists(declared)})
        counts[f"missing_{index}"] = Count(
            "pk",
            filter=Q(start_date__lte=month_end)
            & (Q(end_date__isnull=True) | Q(end_date__gte=month))
            & Q(**{f"declared_{index}": False}),
        )
    rows = (
        placements.order_by()
        .values("contract_id", "contract__reference", "employer_id", "employer__name")
        .annotate(**counts)
        .order_by("contract__reference", "employer__name")
    )
    result = []
    for row in rows:
        for index, month in enumerate(months):
            missing = row[f"missing_{index}"]
            if missing:
                result.append(
                    MissingDeclaration(
                        contract_id=row["contract_id"],
                        contract_reference=row["contract__reference"],
                        employer_id=row["employer_id"],
                        employer_name=row["employer__name"],
                        month=month,
                        placements=missing,
                    )
                )
    return result


def lapsing_evidence(scope: UserScope, *, today: date) -> tuple[list[LapsingEvidence], int]:
    """Criteria whose evidence lapses within ``LAPSING_DAYS`` days or has lapsed, of
    participants with a running placement (two queries): the first ones and their count."""
    # The criteria are already scoped to the structures' participants, so are their
    # placements: scoping them again (a join) made PostgreSQL read every placement of the
    # country instead of looking up each participant's by index.
    running = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        participant_id=OuterRef("participant_id"),
        start_date__lte=today,
    )
    criteria = (
        ParticipantCriterion.objects.filter(
            participant__facilitator_id__in=scope.facilitator_ids,
            valid_until__isnull=False,
            valid_until__lte=today + timedelta(days=LAPSING_DAYS),
        )
        .exclude(status=CriterionStatus.REFUSED)
        .filter(Exists(running))
    )
    count = criteria.count()
    rows = (
        criteria.order_by("valid_until", "participant__last_name", "pk").values(
            "pk",
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "criterion__label",
            "valid_until",
        )[:LAPSING_SHOWN]
        if count
        else []
    )
    return [
        LapsingEvidence(
            criterion_id=row["pk"],
            participant_id=row["participant_id"],
            participant_name=f"{row['participant__first_name']} {row['participant__last_name'].upper()}",
            criterion_label=row["criterion__label"],
            valid_until=row["valid_until"],
            lapsed=row["valid_until"] < today,
        )
        for row in rows
    ], count


def alerts_for(
    scope: UserScope,
    *,
    today: date,
    contract_rows: list[ContractRow] | None = None,
    review: HoursTotals | None = None,
) -> Alerts:
    """Everything to deal with for the user's facilitator structures.

    ``contract_rows`` are the late contracts and ``review`` the review queue's totals
    when the caller already computed them (the dashboard does); otherwise they are read
    here.
    """
    if not scope.facilitator_ids:
        return Alerts(today=today)
    late_rows = contract_rows if contract_rows is not None else late_contracts(scope, today)
    lapsing, lapsing_count = lapsing_evidence(scope, today=today)
    if review is None:
        review = hours_totals(hours_awaiting_review(scope))
    return Alerts(
        today=today,
        late=_late(late_rows),
        missing=missing_declarations(scope, today=today),
        lapsing=lapsing,
        lapsing_count=lapsing_count,
        criteria_to_check=criteria_to_check(scope).order_by().count(),
        hours_to_review=review.count,
        hours_to_review_total=review.hours,
        outcomes_due=six_month_follow_ups_due(scope, today=today).order_by().count(),
    )
