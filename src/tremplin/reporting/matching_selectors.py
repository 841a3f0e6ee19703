"""Figures of hiring needs, referrals and pathways on the dashboards, scoped to the user.

A facilitator sees the needs of its structures' contracts, the referrals made to them and
the situations of its own participants; a network coordinator the same for every
facilitator structure of a network it coordinates, as counts only: the links to lists of
candidates or participants are for facilitators. Seven queries, whatever the volume; the
arithmetic is in ``matching_figures``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tremplin.inclusion.enums import (
    OUTCOME_CATEGORIES,
    CriterionStatus,
    OutcomeCategory,
    OutcomeMoment,
)
from tremplin.inclusion.followup import exits_due_by
from tremplin.inclusion.models import EligibilityCriterion, Outcome, ParticipantCriterion
from tremplin.inclusion.selectors import outcomes_visible_to
from tremplin.matching.enums import NeedStatusChoice, ReferralStatusChoice
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.reporting.matching_figures import (
    STAGES,
    Criterion,
    DurableOutcomes,
    NeedRow,
    PrescriberRow,
    PublicFigures,
    TimeToFill,
    prescriber_rows,
    prescriber_total,
    public_shares,
    time_to_fill,
)

# The situations of a durable job, as the reports count them.
DURABLE_SITUATIONS = frozenset(
    situation
    for situation, category in OUTCOME_CATEGORIES.items()
    if category == OutcomeCategory.DURABLE_JOB
)
PERIOD_MONTHS = 12

# Where the lists of the matching app live, for as long as a name does not resolve.
_MATCHING_PATHS = {
    "need_list": "/recrutements/",
    "referral_list": "/recrutements/candidatures/",
}


def matching_list_url(list_name: str, **params: object) -> str:
    """A list of the matching app (``need_list`` or ``referral_list``) narrowed by its
    GET filters: ``statut`` for needs; ``etape``, ``prescripteur``, ``besoin`` for
    referrals."""
    try:
        path = reverse(f"matching:{list_name}")
    except NoReverseMatch:
        path = _MATCHING_PATHS[list_name]
    return f"{path}?{urlencode(params)}" if params else path


# --- Data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date  # first day included
    end: date  # last day included
    label: str  # « sur les 12 derniers mois », « en 2025 »

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Cell:
    value: int
    url: str = ""  # the rows behind the number ("" for coordinators: they name people)


@dataclass(frozen=True)
class PrescriberLine:
    name: str
    total: Cell
    stages: list[Cell]
    hire_rate: Decimal | None


@dataclass(frozen=True)
class MatchingFigures:
    period: Period
    time_to_fill: TimeToFill
    publics: PublicFigures
    prescribers: list[PrescriberLine]
    prescriber_total: PrescriberLine | None
    outcomes: DurableOutcomes
    filled_needs_url: str
    open_needs_url: str
    hires_url: str = ""
    outcomes_due_url: str = ""
    stage_labels: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        """Whether the figures lead to the people behind them (facilitators only)."""
        return bool(self.hires_url)


def last_months(today: date, months: int = PERIOD_MONTHS) -> Period:
    """The last ``months`` months, today's included, as the chart of hours by month."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(start=first, end=today, label=f"sur les {months} derniers mois")


def year_period(year: int) -> Period:
    return Period(start=date(year, 1, 1), end=date(year, 12, 31), label=f"en {year}")


# --- Queries -------------------------------------------------------------------------


def _need_rows(needs: QuerySet[HiringNeed], period: Period) -> list[NeedRow]:
    """One query: the needs open now and those filled in the period, with their hires."""
    rows = (
        needs.filter(
            Q(status=NeedStatusChoice.PUBLISHED)
            | Q(
                status=NeedStatusChoice.FILLED,
                filled_at__gte=period.start_at,
                filled_at__lt=period.end_before,
            )
        )
        .order_by()
        .values_list("pk", "status", "positions", "published_at", "filled_at")
        .annotate(hired=Count("referrals", filter=Q(referrals__status=ReferralStatusChoice.HIRED)))
    )
    return [
        NeedRow(
            status=status,
            positions=positions,
            published_at=published_at,
            filled_at=filled_at,
            hired=hired,
        )
        for _, status, positions, published_at, filled_at, hired in rows
    ]


def _publics(
    needs: QuerySet[HiringNeed], criteria: QuerySet[EligibilityCriterion], period: Period
) -> PublicFigures:
    """Three queries: the criteria of the network, the hires of the period with the
    criteria their referral vouched for, and the confirmed criteria of their people."""
    known = [
        Criterion(pk=pk, code=code, label=label)
        for pk, code, label in criteria.order_by("position", "label").values_list(
            "pk", "code", "label"
        )
    ]
    hires = Referral.objects.filter(
        need__in=needs.values("pk"),
        status=ReferralStatusChoice.HIRED,
        status_changed_at__gte=period.start_at,
        status_changed_at__lt=period.end_before,
    ).order_by()
    held: dict[int, set[int]] = {}
    participants: dict[int, list[int]] = defaultdict(list)
    for referral_id, participant_id, vouched in hires.values_list(
        "pk", "participant_id", "vouched_criteria"
    ):
        held.setdefault(referral_id, set())
        if vouched is not None:
            held[referral_id].add(vouched)
        if participant_id is not None and referral_id not in participants[participant_id]:
            participants[participant_id].append(referral_id)
    confirmed = ParticipantCriterion.objects.filter(
        participant_id__in=hires.values("participant_id"), status=CriterionStatus.CONFIRMED
    ).values_list("participant_id", "criterion_id")
    for participant_id, criterion_id in confirmed:
        for referral_id in participants.get(participant_id, []):
            held[referral_id].add(criterion_id)
    return public_shares({pk: frozenset(ids) for pk, ids in held.items()}, known)


def _prescriber_lines(
    needs: QuerySet[HiringNeed], period: Period, *, linked: bool
) -> tuple[list[PrescriberLine], PrescriberLine | None]:
    """One query: the referrals proposed in the period, by prescriber and current stage."""
    counts = (
        Referral.objects.filter(
            need__in=needs.values("pk"),
            created_at__gte=period.start_at,
            created_at__lt=period.end_before,
        )
        .order_by()
        .values_list("prescriber_id", "prescriber__name", "status")
        .annotate(count=Count("pk"))
    )
    rows = prescriber_rows(counts)
    if not rows:
        return [], None

    def line(row: PrescriberRow) -> PrescriberLine:
        # The rows behind a figure: the prescriber's referrals proposed in the period.
        filters: dict[str, object] = {"du": period.start.isoformat(), "au": period.end.isoformat()}
        if row.prescriber_id:
            filters["prescripteur"] = row.prescriber_id

        def url(**stage: str) -> str:
            return matching_list_url("referral_list", **filters, **stage) if linked else ""

        return PrescriberLine(
            name=row.name,
            total=Cell(row.referred, url()),
            stages=[Cell(row.count(stage), url(etape=stage.value)) for stage in STAGES],
            hire_rate=row.hire_rate,
        )

    return [line(row) for row in rows], line(prescriber_total(rows))


def _durable(outcomes: QuerySet[Outcome], due: int, period: Period) -> DurableOutcomes:
    """One query: the people whose six-month situation was observed in the period, and
    those of them in a durable job."""
    figures = outcomes.filter(
        moment=OutcomeMoment.SIX_MONTHS,
        observed_on__gte=period.start,
        observed_on__lte=period.end,
    ).aggregate(
        recorded=Count("participant_id", distinct=True),
        durable=Count("participant_id", distinct=True, filter=Q(situation__in=DURABLE_SITUATIONS)),
    )
    return DurableOutcomes(recorded=figures["recorded"], durable=figures["durable"], to_record=due)


def _follow_ups_due(outcomes: QuerySet[Outcome], today: date) -> QuerySet[Outcome]:
    """Exits whose six-month situation is due by ``today`` and not recorded: the rule of
    ``inclusion.selectors.six_month_follow_ups_due``, on any set of outcomes."""
    followed_up = Outcome.objects.filter(
        participant_id=OuterRef("participant_id"),
        exit_date=OuterRef("exit_date"),
        moment=OutcomeMoment.SIX_MONTHS,
    )
    return outcomes.filter(moment=OutcomeMoment.EXIT, exit_date__lte=exits_due_by(today)).filter(
        ~Exists(followed_up)
    )


def _figures(
    *,
    needs: QuerySet[HiringNeed],
    criteria: QuerySet[EligibilityCriterion],
    outcomes: QuerySet[Outcome],
    period: Period,
    today: date,
    linked: bool,
) -> MatchingFigures:
    due = _follow_ups_due(outcomes, today).order_by().count()
    prescribers, total = _prescriber_lines(needs, period, linked=linked)
    return MatchingFigures(
        period=period,
        time_to_fill=time_to_fill(
            _need_rows(needs, period), period_start=period.start_at, period_end=period.end_before
        ),
        publics=_publics(needs, criteria, period),
        prescribers=prescribers,
        prescriber_total=total,
        outcomes=_durable(outcomes, due, period),
        # The needs behind the delay: filled in the period (its last day included).
        filled_needs_url=matching_list_url(
            "need_list",
            statut=NeedStatusChoice.FILLED.value,
            pourvu_du=period.start.isoformat(),
            pourvu_au=period.end.isoformat(),
        ),
        open_needs_url=matching_list_url("need_list", statut=NeedStatusChoice.PUBLISHED.value),
        hires_url=(
            matching_list_url("referral_list", etape=ReferralStatusChoice.HIRED.value)
            if linked
            else ""
        ),
        outcomes_due_url=reverse("inclusion:outcomes_due") if linked else "",
        stage_labels=[str(ReferralStatusChoice(stage.value).label) for stage in STAGES],
    )


def facilitator_matching_figures(scope: UserScope, *, today: date) -> MatchingFigures | None:
    """The figures of the user's facilitator structures over the last 12 months (None
    for anyone else). Seven queries."""
    if not scope.facilitator_ids:
        return None
    structures = Organisation.objects.filter(pk__in=scope.facilitator_ids)
    return _figures(
        needs=HiringNeed.objects.filter(contract__facilitator_id__in=scope.facilitator_ids),
        criteria=EligibilityCriterion.objects.filter(
            networks__in=structures.values("network_id")
        ).distinct(),
        outcomes=outcomes_visible_to(scope),
        period=last_months(today),
        today=today,
        linked=True,
    )


def network_matching_figures(
    scope: UserScope, network: Network, *, today: date, year: int | None = None
) -> MatchingFigures | None:
    """The figures of every facilitator structure of ``network``, for its coordinator
    (None for anyone else): the year's, or the last 12 months'. Counts only. Seven
    queries."""
    if network.pk not in scope.coordinated_network_ids:
        return None
    return _figures(
        needs=HiringNeed.objects.filter(
            contract__facilitator__network=network,
            contract__facilitator__kind=OrganisationKind.FACILITATOR,
        ),
        criteria=EligibilityCriterion.objects.filter(networks=network),
        outcomes=Outcome.objects.filter(
            participant__facilitator__network=network,
            participant__facilitator__kind=OrganisationKind.FACILITATOR,
            participant__merged_into__isnull=True,
        ),
        period=year_period(year) if year else last_months(today),
        today=today,
        linked=False,
    )
