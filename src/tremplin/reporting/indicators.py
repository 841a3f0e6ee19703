"""The impact indicators of a set of contracts, computed in the database.

One ``impact_report`` answers every chart of the "Indicateurs" page, of the PDF reports and
of open data, in a constant number of queries whatever the volume: each series is one
grouped aggregate. Only the hours expected month by month are computed in Python, from one
query of the contracts (a few hundred rows at most), with the rules of
``procurement.progress``.

Definitions:

- the period is [start, end]; an hours entry counts when its month (first day) falls in
  [start's month, end]; a contract counts when its execution overlaps the period;
- realised hours are *validated* hours entries of placements on the contracts;
- participants are the distinct people with validated hours in the period on the
  contracts; their age band is taken at the start of the period (or today);
- outcomes are those of these participants observed in the period.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import add, mul, sub, truediv
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from tremplin.core.fte import (
    LEGAL_ANNUAL_HOURS,
    exact_full_time_equivalents,
    rounded_full_time_equivalents,
)
from tremplin.core.fte import whole_full_time_equivalents as _whole_fte
from tremplin.inclusion.age import AGE_BANDS, AgeBand
from tremplin.inclusion.enums import (
    OUTCOME_CATEGORIES,
    CriterionStatus,
    ExecutionMode,
    HoursStatus,
    OutcomeCategory,
    OutcomeMoment,
    QualificationLevel,
    Sex,
)
from tremplin.inclusion.models import (
    HoursEntry,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract
from tremplin.procurement.progress import expected_hours_by
from tremplin.procurement.selectors import remaining_hours

HOURS_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)

UNIT_HOURS = "heures"
UNIT_PEOPLE = "personnes"
UNIT_CONTRACTS = "marchés"

PUBLIC_NOTE = "Une personne qui relève de plusieurs publics compte dans chacun."
CRITERION_NOTE = "Critères confirmés. " + PUBLIC_NOTE

QPV_LABELS = {"yes": "Habite un QPV", "no": "N'habite pas un QPV"}


# --- Data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    start: date | None = None  # first day included (hours: months >= start's month)
    end: date | None = None  # last day included
    buyer_ids: frozenset[int] = frozenset()
    structure_ids: frozenset[int] = frozenset()  # facilitator structures
    contract_ids: frozenset[int] = frozenset()

    @property
    def first_month(self) -> date | None:
        return self.start.replace(day=1) if self.start else None


@dataclass(frozen=True)
class Bar:
    """One bar of a chart = one row of its table."""

    key: str
    label: str
    value: Decimal | int
    url: str = ""  # the rows behind the figure ("" when not linkable, e.g. open data)


@dataclass(frozen=True)
class Series:
    title: str
    unit: str  # "heures" | "personnes" | "marchés"
    bars: list[Bar]
    note: str = ""
    # False when one person or hour may count in several bars: no total, no shares.
    additive: bool = True

    @property
    def total(self) -> Decimal | int:
        return sum((bar.value for bar in self.bars), start=0)

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


@dataclass(frozen=True)
class MonthPoint:
    month: date  # first day of the month
    realised: Decimal  # validated hours of the month
    expected: Decimal  # hours expected that month (obligation prorated over execution)
    url: str = ""  # the validated hours of the month ("" when not linkable)


@dataclass(frozen=True)
class ImpactReport:
    filters: ReportFilters
    hours_per_fte: int
    contracts_with_clause: int
    buyers: int
    companies: int
    hours_required: Decimal
    hours_validated: Decimal
    # What each contract still owes at the end of the period (today without one).
    hours_remaining: Decimal
    participants: int  # people with validated hours in the period
    employment_contracts: int  # placements started in the period
    hours_by_month: list[MonthPoint]
    hours_by_buyer: Series
    hours_by_mode: Series
    hours_by_public: Series
    participants_by_sex: Series
    participants_by_age_band: Series
    participants_by_criterion: Series
    participants_by_qpv: Series
    participants_by_qualification: Series
    outcomes_at_exit: Series
    outcomes_at_six_months: Series
    contract_list_url: str = ""  # the contracts of the report, when linkable
    people_url: str = ""  # the participants of the report, when linkable
    series_of_people: list[Series] = field(default_factory=list)

    # Same rounding rules as ``reporting.selectors.HoursFigures``.
    @property
    def whole_fte(self) -> int:
        return _whole_fte(self.hours_validated, self.hours_per_fte)

    @property
    def exact_fte(self) -> Decimal:
        return exact_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def fte(self) -> Decimal:
        return rounded_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def hours_expected(self) -> Decimal:
        return sum((point.expected for point in self.hours_by_month), start=ZERO)

    @property
    def has_period(self) -> bool:
        return bool(self.filters.start or self.filters.end)

    @property
    def share_of_expected(self) -> Decimal | None:
        """Realised over the hours expected in the period (what a period can be held to)."""
        expected = self.hours_expected
        return self.hours_validated / expected if expected > 0 else None

    @property
    def share_realised(self) -> Decimal | None:
        if self.hours_required <= 0:
            return None
        return self.hours_validated / self.hours_required


# --- Scope ---------------------------------------------------------------------------


def report_contracts(scope: UserScope) -> QuerySet[Contract]:
    """The contracts a user may report on.

    Their structures' (facilitator), their network's (coordinator), their own (buyer).
    """
    allowed = Q(pk__in=[])
    if scope.facilitator_ids:
        allowed |= Q(facilitator_id__in=scope.facilitator_ids)
    if scope.coordinated_network_ids:
        allowed |= Q(
            facilitator__network_id__in=scope.coordinated_network_ids,
            facilitator__kind=OrganisationKind.FACILITATOR,
        )
    if scope.buyer_ids:
        allowed |= Q(buyer_id__in=scope.buyer_ids)
    return Contract.objects.filter(allowed)


def hours_per_fte_of(scope: UserScope) -> int:
    """The FTE convention of the user's network (the first one's, if several)."""
    value = (
        Network.objects.filter(pk__in=scope.network_ids)
        .order_by("pk")
        .values_list("hours_per_fte", flat=True)
        .first()
    )
    return value or LEGAL_ANNUAL_HOURS


# --- Period helpers ------------------------------------------------------------------


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s to ``last``'s, both included."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def monthly_expected(
    required: Decimal | int, start: date, end: date, months: Iterable[date]
) -> dict[date, Decimal]:
    """A contract's obligation spread over its execution, month by month.

    The expected hours of a month are those due by the first day of the next month minus
    those due by its first day (``procurement.progress`` prorates by day).
    """
    required = Decimal(required)
    return {
        month: expected_hours_by(required, start, end, _next_month(month))
        - expected_hours_by(required, start, end, month)
        for month in months
    }


def _expected_by_month(
    obligations: Iterable[tuple[int | Decimal, date, date]], months: list[date]
) -> dict[date, Decimal]:
    """The hours expected each month of ``months`` (consecutive), summed over contracts.

    Exactly the figures of summing ``monthly_expected`` of every contract over every month
    (the same Decimal operations on the same values, added up in the same order), at a
    fraction of the cost. A month's expected hours are the hours due by the next month's
    first day minus those due by its own; both are nothing before the start and everything
    from the end on, so their difference is zero there and is not added (adding zero
    changes no sum). Each contract only computes the hours due at the month bounds inside
    its execution, and every per-month step runs in ``map`` (C), not in a Python loop:
    this is the report's hottest code.
    """
    if not months:
        return {}
    count = len(months)
    # The day numbers of each month's first day, and of the day after the last month.
    bounds = [month.toordinal() for month in months]
    bounds.append(_next_month(months[-1]).toordinal())
    sums = [ZERO] * count
    for required, start, end in obligations:
        first_day = start.toordinal()
        last_day = max(end.toordinal(), first_day)  # an end before the start: due at once
        # Bounds [inside, due) fall inside the execution; those before expect nothing,
        # those from ``due`` on expect everything.
        inside = bisect_left(bounds, first_day)
        due = bisect_left(bounds, last_day)
        # The months whose hours due change: the month before the start's (a contract
        # starting on a 1st may be due by then) to the end's, within the chart.
        low = max(inside - 1, 0)
        high = min(due, count)
        if low >= high:
            continue
        total = Decimal(last_day - first_day)
        inner = bounds[max(inside, low) : min(due, high + 1)]
        # ``procurement.progress.expected_hours_by`` at each bound: required × elapsed
        # days ÷ total days. The product is exact (integers, or a Decimal times an
        # integer), so the one rounded operation, the division, gives the same figure.
        dues: list[Decimal] = [ZERO] * (max(inside, low) - low)
        dues.extend(
            map(
                truediv,
                map(mul, repeat(required), map(sub, inner, repeat(first_day))),
                repeat(total),
            )
        )
        dues.extend(repeat(Decimal(required), high + 1 - low - len(dues)))
        sums[low:high] = map(add, sums[low:high], map(sub, dues[1:], dues))
    return dict(zip(months, sums, strict=True))


# --- The report ----------------------------------------------------------------------


def _filtered(contracts: QuerySet[Contract], filters: ReportFilters) -> QuerySet[Contract]:
    if filters.buyer_ids:
        contracts = contracts.filter(buyer_id__in=filters.buyer_ids)
    if filters.structure_ids:
        contracts = contracts.filter(facilitator_id__in=filters.structure_ids)
    if filters.contract_ids:
        contracts = contracts.filter(pk__in=filters.contract_ids)
    return contracts


def _running(contracts: QuerySet[Contract], filters: ReportFilters) -> QuerySet[Contract]:
    """Contracts whose execution overlaps the period."""
    if filters.start:
        contracts = contracts.filter(execution_end__gte=filters.start)
    if filters.end:
        contracts = contracts.filter(execution_start__lte=filters.end)
    return contracts


def _validated_entries(
    contracts: QuerySet[Contract], filters: ReportFilters
) -> QuerySet[HoursEntry]:
    entries = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    )
    return _in_period(entries, filters).order_by()


def _in_period(entries: QuerySet[HoursEntry], filters: ReportFilters) -> QuerySet[HoursEntry]:
    if filters.first_month:
        entries = entries.filter(month__gte=filters.first_month)
    if filters.end:
        entries = entries.filter(month__lte=filters.end)
    return entries


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def _validated_hours_url(filters: ReportFilters, **params: str) -> str:
    """The validated hours list narrowed as the report is, plus ``params``; "" when the
    list cannot express the filters (several buyers, structures or contracts)."""
    return _list_url("inclusion:validated_hours", filters, **params)


def _people_url(filters: ReportFilters, **params: str) -> str:
    """The participants list narrowed to the report's participants, plus ``params``
    (``heures`` says "with validated hours" when the report has no other filter)."""
    return _list_url("inclusion:participant_list", filters, heures="validees", **params)


def _list_url(name: str, filters: ReportFilters, **params: str) -> str:
    query: dict[str, object] = {}
    if filters.first_month:
        query["du"] = f"{filters.first_month:%Y-%m}"
    if filters.end:
        query["au"] = f"{filters.end:%Y-%m}"
    for key, ids in (
        ("acheteur", filters.buyer_ids),
        ("structure", filters.structure_ids),
        ("marche", filters.contract_ids),
    ):
        if len(ids) > 1:
            return ""
        if ids:
            query[key] = next(iter(ids))
    return _url(name, **query, **params)


def _series_from_counts(
    title: str,
    unit: str,
    labels: Iterable[tuple[str, str]],
    counts: Mapping[str, Decimal | int],
    *,
    note: str = "",
    keep_empty: bool = True,
) -> Series:
    bars = [
        Bar(key=key, label=label, value=counts.get(key, 0))
        for key, label in labels
        if keep_empty or counts.get(key)
    ]
    return Series(title=title, unit=unit, bars=bars, note=note)


def _realised_by_month(entries: QuerySet[HoursEntry]) -> dict[date, Decimal]:
    """One query: the hours of ``entries`` grouped by month."""
    return {
        row["month"]: Decimal(row["hours"])
        for row in entries.values("month").annotate(hours=Sum("total_hours")).order_by()
    }


def _hours_by_month(
    realised: dict[date, Decimal],
    clause_contracts: QuerySet[Contract],
    filters: ReportFilters,
    today: date,
) -> list[MonthPoint]:
    """One query (the contracts' obligations): ``realised`` hours and expected hours of
    each month of the chart."""
    obligations = list(
        clause_contracts.order_by().values_list(
            "hours_required", "execution_start", "execution_end"
        )
    )
    # The chart runs over the period; without bounds, from the first contract or hour to
    # today (expectations of the future would read as a shortfall).
    first = filters.first_month
    if first is None:
        candidates = [*realised, *(start for _, start, _ in obligations)]
        if not candidates:
            return []
        first = min(candidates).replace(day=1)
    last = filters.end or max(
        [*realised, *(min(today, end) for _, _, end in obligations)], default=today
    )
    months = months_between(first, last)
    expected = _expected_by_month(obligations, months)
    return [
        MonthPoint(
            month=month,
            realised=realised.get(month, ZERO),
            expected=expected[month].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        )
        for month in months
    ]


def _born_in(band: AgeBand, day: date) -> Q:
    born_after, born_by = band.birth_dates(day)
    condition = Q()
    if born_after is not None:
        condition &= Q(birth_date__gt=born_after)
    if born_by is not None:
        condition &= Q(birth_date__lte=born_by)
    return condition


def _participant_figures(
    participants: QuerySet[Participant], reference_day: date
) -> dict[str, int]:
    """One aggregate query: every breakdown of the participants by a field of theirs."""
    counts: dict[str, Count] = {
        "total": Count("pk"),
        **{
            f"age_{band.key}": Count("pk", filter=_born_in(band, reference_day))
            for band in AGE_BANDS
        },
        "qpv_yes": Count("pk", filter=Q(qpv_resident=True)),
        "qpv_no": Count("pk", filter=Q(qpv_resident=False)),
    }
    for sex in Sex:
        counts[f"sex_{sex.value}"] = Count("pk", filter=Q(sex=sex.value))
    for level in QualificationLevel:
        counts[f"qualification_{level.value}"] = Count(
            "pk", filter=Q(qualification_level=level.value)
        )
    return participants.order_by().aggregate(**counts)


def impact_report(
    contracts: QuerySet[Contract],
    *,
    filters: ReportFilters,
    hours_per_fte: int,
    today: date,
    link_rows: bool = True,
    link_people: bool = True,
) -> ImpactReport:
    """Every indicator of ``contracts`` (already scoped to the user) under ``filters``.

    ``link_rows`` adds to each bar the address of the rows behind it; ``link_people``
    (off for coordinators) allows links to lists of people. Eleven queries.
    """
    selected = _filtered(contracts, filters)
    clause_contracts = _running(selected, filters).filter(hours_required__gt=0)
    entries = _validated_entries(selected, filters)

    # 1. Contracts with a clause running in the period.
    totals = clause_contracts.order_by().aggregate(
        contracts=Count("pk"),
        buyers=Count("buyer_id", distinct=True),
        companies=Count("awarded_company_id", distinct=True),
        hours_required=Coalesce(Sum("hours_required"), 0),
    )
    # 2-3. Realised and expected hours by month.
    realised = _realised_by_month(entries)
    hours_by_month = _hours_by_month(realised, clause_contracts, filters, today)
    # Total validated hours: the sum of every month's, those outside the chart's range
    # (such as a late entry) included; exact, the hours having two decimals.
    hours_validated = sum(realised.values(), ZERO)
    # What the contracts still owe by the end of the period: their hours up to then.
    hours_remaining = remaining_hours(clause_contracts, until=filters.end)

    # 4. Hours by buyer.
    buyer_rows = (
        entries.values("placement__contract__buyer_id", "placement__contract__buyer__name")
        .annotate(hours=Sum("total_hours"))
        .order_by("-hours", "placement__contract__buyer__name")
    )
    hours_by_buyer = Series(
        title="Heures par acheteur",
        unit=UNIT_HOURS,
        bars=[
            Bar(
                key=str(row["placement__contract__buyer_id"]),
                label=row["placement__contract__buyer__name"],
                value=Decimal(row["hours"]),
                url=(
                    _url("procurement:contract_list", buyer=row["placement__contract__buyer_id"])
                    if link_rows
                    else ""
                ),
            )
            for row in buyer_rows
        ],
    )

    # 5. Hours by execution mode.
    mode_hours = {
        row["placement__execution_mode"]: Decimal(row["hours"])
        for row in entries.values("placement__execution_mode").annotate(hours=Sum("total_hours"))
    }
    hours_by_mode = _series_from_counts(
        "Heures par modalité d'exécution",
        UNIT_HOURS,
        ExecutionMode.choices,
        mode_hours,
        keep_empty=False,
    )
    # Hours lists name people: linked for facilitators only (no query: URLs only).
    link_hours = link_rows and link_people
    if link_hours:
        hours_by_mode = replace(
            hours_by_mode,
            bars=[
                replace(bar, url=_validated_hours_url(filters, modalite=bar.key))
                for bar in hours_by_mode.bars
            ],
        )
        hours_by_month = [
            replace(point, url=_validated_hours_url(filters, mois=f"{point.month:%Y-%m}"))
            for point in hours_by_month
        ]

    # 6. Hours by eligible public: an entry joins each confirmed criterion of its
    # participant, so a person with several criteria counts in each.
    public_rows = (
        entries.filter(placement__participant__criteria__status=CriterionStatus.CONFIRMED)
        .values(
            "placement__participant__criteria__criterion__code",
            "placement__participant__criteria__criterion__label",
            "placement__participant__criteria__criterion__position",
        )
        .annotate(hours=Sum("total_hours"))
        .order_by(
            "placement__participant__criteria__criterion__position",
            "placement__participant__criteria__criterion__label",
        )
    )
    hours_by_public = Series(
        title="Heures par public éligible",
        unit=UNIT_HOURS,
        bars=[
            Bar(
                key=row["placement__participant__criteria__criterion__code"],
                label=row["placement__participant__criteria__criterion__label"],
                value=Decimal(row["hours"]),
                url=(
                    _validated_hours_url(
                        filters, critere=row["placement__participant__criteria__criterion__code"]
                    )
                    if link_hours
                    else ""
                ),
            )
            for row in public_rows
        ],
        note=PUBLIC_NOTE,
        additive=False,
    )

    # 7. The participants, broken down by their own fields. The people with validated
    # hours are found from their placements on the contracts, each probing its entries
    # for one in the period (it stops at the first): reading every entry instead, three
    # times (here, by criterion and for outcomes), was most of these queries' time.
    has_entries = Exists(
        _in_period(
            HoursEntry.objects.filter(placement=OuterRef("pk"), status=HoursStatus.VALIDATED),
            filters,
        )
    )
    participant_ids = (
        Placement.objects.filter(contract__in=selected.values("pk"))
        .filter(has_entries)
        .values("participant_id")
    )
    participants = Participant.objects.filter(pk__in=participant_ids)
    people = _participant_figures(participants, filters.start or today)
    participants_by_sex = _series_from_counts(
        "Participants par sexe",
        UNIT_PEOPLE,
        Sex.choices,
        {sex.value: people[f"sex_{sex.value}"] for sex in Sex},
    )
    participants_by_age_band = _series_from_counts(
        "Participants par âge",
        UNIT_PEOPLE,
        [(band.key, band.label) for band in AGE_BANDS],
        {band.key: people[f"age_{band.key}"] for band in AGE_BANDS},
        note=f"Âge au {(filters.start or today):%d/%m/%Y}.",
    )
    participants_by_qpv = _series_from_counts(
        "Participants habitant un quartier prioritaire (QPV)",
        UNIT_PEOPLE,
        QPV_LABELS.items(),
        {"yes": people["qpv_yes"], "no": people["qpv_no"]},
    )
    participants_by_qualification = _series_from_counts(
        "Participants par niveau de qualification",
        UNIT_PEOPLE,
        QualificationLevel.choices,
        {level.value: people[f"qualification_{level.value}"] for level in QualificationLevel},
    )

    # 8. Participants by confirmed criterion.
    criterion_rows = (
        ParticipantCriterion.objects.filter(
            status=CriterionStatus.CONFIRMED, participant_id__in=participant_ids
        )
        .values("criterion__code", "criterion__label", "criterion__position")
        .annotate(people=Count("participant_id", distinct=True))
        .order_by("criterion__position", "criterion__label")
    )
    participants_by_criterion = Series(
        title="Participants par critère d'éligibilité",
        unit=UNIT_PEOPLE,
        bars=[
            Bar(
                key=row["criterion__code"],
                label=row["criterion__label"],
                value=row["people"],
            )
            for row in criterion_rows
        ],
        note=CRITERION_NOTE,
        additive=False,
    )

    # 9. Employment contracts: placements on the contracts started in the period.
    placements = Placement.objects.filter(contract__in=selected.values("pk"))
    if filters.start:
        placements = placements.filter(start_date__gte=filters.start)
    if filters.end:
        placements = placements.filter(start_date__lte=filters.end)
    employment_contracts = placements.count()

    # 10. Outcomes of the participants observed in the period, by moment and situation.
    outcomes = Outcome.objects.filter(participant_id__in=participant_ids)
    if filters.start:
        outcomes = outcomes.filter(observed_on__gte=filters.start)
    if filters.end:
        outcomes = outcomes.filter(observed_on__lte=filters.end)
    tally: dict[str, dict[str, int]] = {moment.value: {} for moment in OutcomeMoment}
    for row in outcomes.order_by().values("moment", "situation").annotate(count=Count("pk")):
        category = OUTCOME_CATEGORIES[row["situation"]]
        by_category = tally[row["moment"]]
        by_category[category] = by_category.get(category, 0) + row["count"]

    outcomes_at_exit = _series_from_counts(
        "Situation à la sortie",
        UNIT_PEOPLE,
        OutcomeCategory.choices,
        tally[OutcomeMoment.EXIT],
        note="Situations constatées dans la période.",
    )
    outcomes_at_six_months = _series_from_counts(
        "Situation à 6 mois",
        UNIT_PEOPLE,
        OutcomeCategory.choices,
        tally[OutcomeMoment.SIX_MONTHS],
        note="Situations constatées dans la période.",
    )
    # People lists name people: linked for facilitators only (no query: URLs only).
    people_url = ""
    if link_hours and (people_url := _people_url(filters)):

        def linked(
            series: Series, parameter: str, values: Mapping[str, str] | None = None
        ) -> Series:
            return replace(
                series,
                bars=[
                    replace(
                        bar,
                        url=_people_url(
                            filters, **{parameter: (values or {}).get(bar.key, bar.key)}
                        ),
                    )
                    for bar in series.bars
                ],
            )

        participants_by_sex = linked(participants_by_sex, "sexe")
        participants_by_age_band = linked(participants_by_age_band, "age")
        participants_by_qpv = linked(participants_by_qpv, "qpv", {"yes": "oui", "no": "non"})
        participants_by_qualification = linked(participants_by_qualification, "niveau")
        participants_by_criterion = linked(participants_by_criterion, "critere")
        exit_keys = {key: f"{OutcomeMoment.EXIT.value}:{key}" for key in OutcomeCategory.values}
        outcomes_at_exit = linked(outcomes_at_exit, "sortie", exit_keys)
        six_month_keys = {
            key: f"{OutcomeMoment.SIX_MONTHS.value}:{key}" for key in OutcomeCategory.values
        }
        outcomes_at_six_months = linked(outcomes_at_six_months, "sortie", six_month_keys)

    report = ImpactReport(
        filters=filters,
        hours_per_fte=hours_per_fte,
        contracts_with_clause=totals["contracts"],
        buyers=totals["buyers"],
        companies=totals["companies"],
        hours_required=Decimal(totals["hours_required"]),
        hours_validated=hours_validated,
        hours_remaining=hours_remaining,
        participants=people["total"],
        employment_contracts=employment_contracts,
        hours_by_month=hours_by_month,
        hours_by_buyer=hours_by_buyer,
        hours_by_mode=hours_by_mode,
        hours_by_public=hours_by_public,
        participants_by_sex=participants_by_sex,
        participants_by_age_band=participants_by_age_band,
        participants_by_criterion=participants_by_criterion,
        participants_by_qpv=participants_by_qpv,
        participants_by_qualification=participants_by_qualification,
        outcomes_at_exit=outcomes_at_exit,
        outcomes_at_six_months=outcomes_at_six_months,
        contract_list_url=_url("procurement:contract_list", clause="with") if link_rows else "",
        people_url=people_url,
        series_of_people=[
            participants_by_sex,
            participants_by_age_band,
            participants_by_qpv,
            participants_by_qualification,
        ],
    )
    return report


# --- Filter choices and the home pages' chart ----------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What a user may filter the indicators by: only what lies in their scope."""

    buyers: list[tuple[int, str]]
    structures: list[tuple[int, str]]
    contracts: list[tuple[int, str]]
    years: list[int]


def filter_choices(contracts: QuerySet[Contract]) -> FilterChoices:
    """The buyers, structures, contracts and years (with validated hours) of ``contracts``.

    Four queries.
    """

    def organisations(field_name: str) -> list[tuple[int, str]]:
        return list(
            Organisation.objects.filter(pk__in=contracts.values(field_name))
            .order_by("name", "pk")
            .values_list("pk", "name")
        )

    contract_rows = contracts.order_by("reference", "pk").values_list("pk", "reference", "title")
    months = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    ).dates("month", "year", order="DESC")
    return FilterChoices(
        buyers=organisations("buyer_id"),
        structures=organisations("facilitator_id"),
        contracts=[(pk, f"{reference} — {title[:70]}") for pk, reference, title in contract_rows],
        years=[month.year for month in months],
    )


def recent_hours_by_month(
    contracts: QuerySet[Contract], *, today: date, months: int = 12
) -> list[MonthPoint]:
    """Realised and expected hours of the last ``months`` months, today's included.

    Two queries: the compact chart of the home pages.
    """
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    filters = ReportFilters(start=first, end=today)
    return _hours_by_month(
        _realised_by_month(_validated_entries(contracts, filters)),
        _running(contracts, filters).filter(hours_required__gt=0),
        filters,
        today,
    )
