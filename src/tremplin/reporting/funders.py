"""Reads behind the funders' reports: ESF+ participant data, the national survey of
facilitators and a buyer's SPASER indicators. Every read is scoped to the user.

Figures are counted by the database: each ESF indicator is a 1/0 annotation of an ESF
entry (the export lists them, the summary sums them), the survey and SPASER figures are
aggregates and grouped subqueries, so a page costs the same few queries at any size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from tremplin.core.fte import full_time_equivalents, rounded_full_time_equivalents
from tremplin.inclusion.enums import (
    EMPLOYMENT_SITUATIONS,
    HoursStatus,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
    Sex,
)
from tremplin.inclusion.models import EsfEntry, HoursEntry, Outcome, Placement
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract
from tremplin.procurement.selectors import contracts_visible_to
from tremplin.reporting.esf import age_band, pseudonym
from tremplin.reporting.purchasing import Purchasing, YearIndicators
from tremplin.reporting.purchasing_selectors import buyer_records, purchasing_of

ZERO = Value(0)
ZERO_HOURS = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
ZERO_AMOUNT = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


SHARE_QUANTUM = Decimal("0.001")


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """A ratio rounded to a tenth of a percent (0.667 for 2 of 3), or None for 0 of 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _date_key(field: str) -> Any:
    """The database side of ``esf.date_key``: year × 10 000 + month × 100 + day."""
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


# --- European Social Fund ----------------------------------------------------------------


@dataclass(frozen=True)
class EsfIndicator:
    name: str
    code: str  # the ESF+ common indicator code, "" where the regulation has none
    label: str
    condition: Q

    @property
    def header(self) -> str:
        return f"{self.code} — {self.label}" if self.code else self.label


UNEMPLOYED = (LabourStatus.UNEMPLOYED, LabourStatus.LONG_TERM_UNEMPLOYED)
# Better than a job at entry: a durable one (open-ended, six months or more, own business).
DURABLE_SITUATIONS = (
    OutcomeSituation.DURABLE_CDI,
    OutcomeSituation.DURABLE_FIXED_TERM,
    OutcomeSituation.BUSINESS_CREATION,
)
EMPLOYMENT = tuple(EMPLOYMENT_SITUATIONS)

# Common output indicators of the ESF+ (regulation (EU) 2021/1057, annex I), at entry.
ESF_OUTPUT_INDICATORS = (
    EsfIndicator(
        "unemployed",
        "EECO01",
        "Chômeurs, y compris de longue durée",
        Q(labour_status__in=UNEMPLOYED),
    ),
    EsfIndicator(
        "long_term_unemployed",
        "EECO02",
        "Chômeurs de longue durée",
        Q(labour_status=LabourStatus.LONG_TERM_UNEMPLOYED),
    ),
    EsfIndicator(
        "inactive", "EECO03", "Personnes inactives", Q(labour_status=LabourStatus.INACTIVE)
    ),
    EsfIndicator(
        "employed",
        "EECO04",
        "Personnes exerçant un emploi, y compris indépendant",
        Q(labour_status=LabourStatus.EMPLOYED),
    ),
    EsfIndicator("under_18", "EECO05", "Moins de 18 ans", Q(age_key__lt=180000)),
    EsfIndicator("aged_18_29", "EECO06", "18 à 29 ans", Q(age_key__gte=180000, age_key__lt=300000)),
    EsfIndicator("aged_55", "EECO07", "55 ans et plus", Q(age_key__gte=550000)),
    EsfIndicator("isced_0_2", "EECO08", "CITE 0 à 2", Q(isced_band=IscedBand.ISCED_0_2)),
    EsfIndicator("isced_3_4", "EECO09", "CITE 3 et 4", Q(isced_band=IscedBand.ISCED_3_4)),
    EsfIndicator("isced_5_8", "EECO10", "CITE 5 à 8", Q(isced_band=IscedBand.ISCED_5_8)),
    EsfIndicator("disabled", "EECO12", "Personnes handicapées", Q(disability=True)),
    EsfIndicator(
        "other_disadvantaged", "", "Autres personnes défavorisées", Q(other_disadvantage=True)
    ),
)

# Common result indicators: immediate (on leaving) and longer-term (six months after).
ESF_RESULT_INDICATORS = (
    EsfIndicator(
        "job_seeking_at_exit",
        "EECR01",
        "En recherche d'emploi à la sortie",
        Q(exit_situation=OutcomeSituation.JOB_SEEKING),
    ),
    EsfIndicator(
        "training_at_exit",
        "EECR02",
        "En formation ou en études à la sortie",
        Q(exit_situation=OutcomeSituation.QUALIFYING_TRAINING),
    ),
    EsfIndicator(
        "qualification_at_exit",
        "EECR03",
        "Ayant obtenu une qualification à la sortie",
        Q(exit_qualification=True),
    ),
    EsfIndicator(
        "employed_at_exit",
        "EECR04",
        "En emploi, y compris indépendant, à la sortie",
        Q(exit_situation__in=EMPLOYMENT),
    ),
    EsfIndicator(
        "employed_six_months",
        "EECR05",
        "En emploi six mois après la sortie",
        Q(six_months_situation__in=EMPLOYMENT),
    ),
    # Improved: from no job at entry to a job, or from a job at entry to a durable one.
    EsfIndicator(
        "improved_six_months",
        "EECR06",
        "Dont la situation sur le marché du travail s'est améliorée six mois après la sortie",
        (~Q(labour_status=LabourStatus.EMPLOYED) & Q(six_months_situation__in=EMPLOYMENT))
        | Q(labour_status=LabourStatus.EMPLOYED, six_months_situation__in=DURABLE_SITUATIONS),
    ),
)
ESF_INDICATORS = ESF_OUTPUT_INDICATORS + ESF_RESULT_INDICATORS

NAMED_VERSION = "named"
PSEUDONYMISED_VERSION = "pseudonymised"
MIXED_VERSION = "mixed"


def esf_version(scope: UserScope) -> str:
    """Names go only to an administrator of the participant's structure."""
    administered = scope.facilitator_ids & scope.administered_organisation_ids
    if not administered:
        return PSEUDONYMISED_VERSION
    if administered == scope.facilitator_ids:
        return NAMED_VERSION
    return MIXED_VERSION


def _outcome_of_exit(field: str, moment: str) -> Subquery:
    outcomes = Outcome.objects.filter(
        participant_id=OuterRef("participant_id"), exit_date=OuterRef("esf_exit"), moment=moment
    ).order_by("-observed_on")
    return Subquery(outcomes.values(field)[:1])


def esf_entries(scope: UserScope, year: int) -> QuerySet[EsfEntry]:
    """ESF entries of the user's structures entered, or left, in ``year``, with their
    indicators annotated (1 or 0 each).

    The exit of an entry is its ``left_on`` date, else the first exit recorded for the
    participant since the entry; results are the outcomes of that exit.
    """
    first, last = year_bounds(year)
    first_exit = (
        Outcome.objects.filter(
            participant_id=OuterRef("participant_id"), exit_date__gte=OuterRef("entered_on")
        )
        .order_by("exit_date")
        .values("exit_date")[:1]
    )
    entries = (
        EsfEntry.objects.filter(
            participant__facilitator_id__in=scope.facilitator_ids,
            participant__merged_into__isnull=True,
        )
        .annotate(
            esf_exit=Coalesce(F("left_on"), Subquery(first_exit), output_field=DateField()),
            age_key=_date_key("entered_on") - _date_key("participant__birth_date"),
        )
        .filter(Q(entered_on__range=(first, last)) | Q(esf_exit__range=(first, last)))
        .annotate(
            exit_situation=_outcome_of_exit("situation", OutcomeMoment.EXIT),
            exit_qualification=_outcome_of_exit("qualification_gained", OutcomeMoment.EXIT),
            six_months_situation=_outcome_of_exit("situation", OutcomeMoment.SIX_MONTHS),
        )
    )
    return entries.annotate(
        **{indicator.name: _flag(indicator.condition) for indicator in ESF_INDICATORS}
    )


@dataclass(frozen=True)
class EsfTotal:
    indicator: EsfIndicator
    count: int


@dataclass(frozen=True)
class EsfSummary:
    year: int
    entries: int
    participants: int
    entered: int
    left: int
    outputs: list[EsfTotal]
    results: list[EsfTotal]


def esf_summary(scope: UserScope, year: int) -> EsfSummary:
    """Totals per indicator, in one query."""
    first, last = year_bounds(year)
    totals = esf_entries(scope, year).aggregate(
        entries=Count("pk"),
        participants=Count("participant_id", distinct=True),
        entered=Count("pk", filter=Q(entered_on__range=(first, last))),
        left=Count("pk", filter=Q(esf_exit__range=(first, last))),
        # Counted from the conditions themselves: summing the 1/0 annotations by name
        # reads nothing once Django wraps this query in a subquery.
        **{indicator.name: Count("pk", filter=indicator.condition) for indicator in ESF_INDICATORS},
    )
    return EsfSummary(
        year=year,
        entries=totals["entries"],
        participants=totals["participants"],
        entered=totals["entered"],
        left=totals["left"],
        outputs=[EsfTotal(i, totals[i.name] or 0) for i in ESF_OUTPUT_INDICATORS],
        results=[EsfTotal(i, totals[i.name] or 0) for i in ESF_RESULT_INDICATORS],
    )


def _if_named(scope: UserScope, field: str, output_field: Any) -> Case:
    """A personal field, or nothing: it leaves the database only for an administrator."""
    return Case(
        When(
            participant__facilitator_id__in=scope.administered_organisation_ids,
            then=F(field),
        ),
        default=Value(None, output_field=output_field),
        output_field=output_field,
    )


@dataclass(frozen=True)
class EsfRow:
    values: dict[str, Any]
    pseudonym: str
    age_band: str
    named: bool


def esf_rows(scope: UserScope, year: int) -> Iterator[EsfRow]:
    """The export's rows, streamed: one per ESF entry, named only where the user may."""
    text = CharField()
    rows = (
        esf_entries(scope, year)
        .annotate(
            named=_flag(Q(participant__facilitator_id__in=scope.administered_organisation_ids)),
            last_name=_if_named(scope, "participant__last_name", text),
            first_name=_if_named(scope, "participant__first_name", text),
            birth_date=_if_named(scope, "participant__birth_date", DateField()),
            email=_if_named(scope, "participant__email", text),
            phone=_if_named(scope, "participant__phone", text),
            postal_code=_if_named(scope, "participant__postal_code", text),
            city=_if_named(scope, "participant__city", text),
        )
        .order_by("participant__facilitator__name", "entered_on", "pk")
        .values(
            "participant_id",
            "participant__facilitator__name",
            "participant__sex",
            "named",
            "last_name",
            "first_name",
            "birth_date",
            "email",
            "phone",
            "postal_code",
            "city",
            "entered_on",
            "esf_exit",
            "age_key",
            "labour_status",
            "isced_band",
            "exit_situation",
            "six_months_situation",
            *(indicator.name for indicator in ESF_INDICATORS),
        )
    )
    secret = settings.SECRET_KEY
    for values in rows.iterator(chunk_size=2000):
        yield EsfRow(
            values=values,
            pseudonym=pseudonym(values["participant_id"], secret),
            age_band=age_band(values["age_key"] // 10000),
            named=bool(values["named"]),
        )


# --- National survey of facilitators -----------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    name: str
    pk: int | None
    contracts: int
    buyers: int
    hours: Decimal
    hours_per_fte: int
    employment_contracts: int
    participants: int
    women: int
    under_26: int
    aged_50: int
    fte_exact: Decimal | None = None

    @property
    def fte(self) -> Decimal:
        if self.fte_exact is not None:
            return self.fte_exact.quantize(Decimal("0.1"))
        return rounded_full_time_equivalents(self.hours, self.hours_per_fte)


@dataclass(frozen=True)
class Survey:
    year: int
    rows: list[SurveyRow]
    total: SurveyRow | None


def survey_structures(scope: UserScope) -> QuerySet[Organisation]:
    """A facilitator's structures; every structure of the networks a coordinator runs."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.FACILITATOR)
        .filter(Q(pk__in=scope.facilitator_ids) | Q(network_id__in=scope.coordinated_network_ids))
        .select_related("network")
        .order_by("name")
    )


def _clause_contracts(year: int) -> QuerySet[Contract]:
    """Contracts with a clause (hours required) executed during some part of ``year``."""
    first, last = year_bounds(year)
    return Contract.objects.filter(
        hours_required__gt=0, execution_start__lte=last, execution_end__gte=first
    )


def _validated_hours(year: int) -> QuerySet[HoursEntry]:
    first, last = year_bounds(year)
    return HoursEntry.objects.filter(status=HoursStatus.VALIDATED, month__range=(first, last))


def _placements(year: int) -> QuerySet[Placement]:
    return Placement.objects.filter(start_date__range=year_bounds(year))


def _people_aggregates(year: int, prefix: str) -> dict[str, Count]:
    """Distinct participants, women, under 26 and 50 or over on 1 January of ``year``."""
    person = f"{prefix}participant"
    return {
        "participants": Count(person, distinct=True),
        "women": Count(person, distinct=True, filter=Q(**{f"{person}__sex": Sex.FEMALE})),
        "under_26": Count(
            person, distinct=True, filter=Q(**{f"{person}__birth_date__gt": date(year - 26, 1, 1)})
        ),
        "aged_50": Count(
            person,
            distinct=True,
            filter=Q(**{f"{person}__birth_date__lte": date(year - 50, 1, 1)}),
        ),
    }


def _grouped(queryset: QuerySet[Any], structure: str, aggregate: Any, default: Value) -> Coalesce:
    rows = (
        queryset.filter(**{structure: OuterRef("pk")})
        .order_by()
        .values(structure)
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows), default)


def national_survey(scope: UserScope, year: int) -> Survey:
    """Per structure, then in total: five queries whatever the number of structures."""
    hours_structure = "placement__contract__facilitator"
    people = _people_aggregates(year, "placement__")
    # Prefixed: "participants" and "contracts" name relations of an organisation.
    structures = survey_structures(scope).annotate(
        n_contracts=_grouped(_clause_contracts(year), "facilitator", Count("pk"), ZERO),
        n_buyers=_grouped(
            _clause_contracts(year), "facilitator", Count("buyer", distinct=True), ZERO
        ),
        n_hours=_grouped(_validated_hours(year), hours_structure, Sum("total_hours"), ZERO_HOURS),
        n_employment_contracts=_grouped(
            _placements(year), "contract__facilitator", Count("pk"), ZERO
        ),
        **{
            f"n_{name}": _grouped(_validated_hours(year), hours_structure, aggregate, ZERO)
            for name, aggregate in people.items()
        },
    )
    rows = [
        SurveyRow(
            name=structure.name,
            pk=structure.pk,
            contracts=structure.n_contracts,
            buyers=structure.n_buyers,
            hours=Decimal(structure.n_hours),
            hours_per_fte=structure.network.hours_per_fte,
            employment_contracts=structure.n_employment_contracts,
            participants=structure.n_participants,
            women=structure.n_women,
            under_26=structure.n_under_26,
            aged_50=structure.n_aged_50,
        )
        for structure in structures
    ]
    if len(rows) < 2:
        return Survey(year=year, rows=rows, total=None)
    ids = [row.pk for row in rows]
    contracts = _clause_contracts(year).filter(facilitator_id__in=ids)
    contract_totals = contracts.aggregate(
        contracts=Count("pk"), buyers=Count("buyer", distinct=True)
    )
    hours_totals = (
        _validated_hours(year)
        .filter(placement__contract__facilitator_id__in=ids)
        .aggregate(hours=Coalesce(Sum("total_hours"), ZERO_HOURS), **people)
    )
    placements = _placements(year).filter(contract__facilitator_id__in=ids).count()
    # Structures of different networks may count FTE differently: the total adds theirs.
    fte = sum((full_time_equivalents(row.hours, row.hours_per_fte) for row in rows), Decimal(0))
    total = SurveyRow(
        name="Total",
        pk=None,
        contracts=contract_totals["contracts"],
        buyers=contract_totals["buyers"],
        hours=Decimal(hours_totals["hours"]),
        hours_per_fte=rows[0].hours_per_fte,
        employment_contracts=placements,
        participants=hours_totals["participants"],
        women=hours_totals["women"],
        under_26=hours_totals["under_26"],
        aged_50=hours_totals["aged_50"],
        fte_exact=fte,
    )
    return Survey(year=year, rows=rows, total=total)


# --- SPASER indicators of a buyer ---------------------------------------------------------

SOCIAL = Q(social_clause=True) | Q(social_criterion=True) | Q(reserved_contract=True)
ENVIRONMENTAL = Q(environmental_clause=True) | Q(environmental_criterion=True)
RESERVED = Q(reserved_contract=True)


def spaser_buyers(scope: UserScope) -> QuerySet[Organisation]:
    """A buyer's own organisations; the buyers of a facilitator's contracts; every buyer of
    a coordinator's networks. Companies get none."""
    of_structures = Contract.objects.filter(
        buyer_id=OuterRef("pk"), facilitator_id__in=scope.facilitator_ids
    )
    return (
        Organisation.objects.filter(kind=OrganisationKind.BUYER)
        .filter(
            Q(pk__in=scope.buyer_ids)
            | Q(network_id__in=scope.coordinated_network_ids)
            | Q(Exists(of_structures))
        )
        .select_related("network")
        .order_by("name")
    )


def spaser_contracts(scope: UserScope, buyer: Organisation) -> QuerySet[Contract]:
    """The buyer's contracts the user may see (a facilitator: those its structures follow)."""
    return contracts_visible_to(scope).filter(buyer=buyer)


@dataclass(frozen=True)
class SpaserFigure:
    name: str
    label: str
    count: int
    amount: Decimal
    total_count: int
    total_amount: Decimal

    @property
    def count_share(self) -> Decimal | None:
        return _share(self.count, self.total_count)

    @property
    def amount_share(self) -> Decimal | None:
        return _share(self.amount, self.total_amount)


@dataclass(frozen=True)
class SpaserContractHours:
    pk: int
    reference: str
    title: str
    hours: Decimal


@dataclass(frozen=True)
class SpaserReport:
    buyer: Organisation
    year: int
    figures: list[SpaserFigure]
    without_notification: int
    hours: Decimal
    hours_per_fte: int
    contracts: list[Contract]
    hours_by_contract: list[SpaserContractHours]
    # Both sources, the followed contracts and the DECP records, each contract once.
    purchasing: Purchasing

    @property
    def indicators(self) -> YearIndicators:
        """The responsible purchasing indicators of the report's year."""
        return self.purchasing.of_year(self.year)

    @property
    def all_contracts(self) -> SpaserFigure:
        return self.figures[0]

    @property
    def fte(self) -> Decimal:
        return rounded_full_time_equivalents(self.hours, self.hours_per_fte)


def spaser_report(scope: UserScope, buyer: Organisation, year: int) -> SpaserReport:
    """Contracts notified in ``year`` (started, when the notification date is missing) and
    the insertion hours validated for the months of ``year`` on all the buyer's contracts;
    with the buyer's DECP records, the responsible purchasing indicators of every year."""
    first, last = year_bounds(year)
    contracts = spaser_contracts(scope, buyer)
    of_year = contracts.annotate(
        reference_date=Coalesce("notified_on", "execution_start", output_field=DateField())
    ).filter(reference_date__range=(first, last))
    amount = "amount_excl_tax"
    totals = of_year.aggregate(
        count=Count("pk"),
        amount=Coalesce(Sum(amount), ZERO_AMOUNT),
        social_count=Count("pk", filter=SOCIAL),
        social_amount=Coalesce(Sum(amount, filter=SOCIAL), ZERO_AMOUNT),
        environmental_count=Count("pk", filter=ENVIRONMENTAL),
        environmental_amount=Coalesce(Sum(amount, filter=ENVIRONMENTAL), ZERO_AMOUNT),
        reserved_count=Count("pk", filter=RESERVED),
        reserved_amount=Coalesce(Sum(amount, filter=RESERVED), ZERO_AMOUNT),
        without_notification=Count("pk", filter=Q(notified_on__isnull=True)),
    )
    labels = (
        ("all", "Marchés notifiés"),
        ("social", "Marchés comportant une considération sociale"),
        ("environmental", "Marchés comportant une considération environnementale"),
        ("reserved", "Marchés réservés"),
    )
    figures = [
        SpaserFigure(
            name=name,
            label=label,
            count=totals["count" if name == "all" else f"{name}_count"],
            amount=Decimal(totals["amount" if name == "all" else f"{name}_amount"]),
            total_count=totals["count"],
            total_amount=Decimal(totals["amount"]),
        )
        for name, label in labels
    ]
    hours_rows = (
        _validated_hours(year)
        .filter(placement__contract__in=contracts)
        .order_by()
        .values(
            "placement__contract_id",
            "placement__contract__reference",
            "placement__contract__title",
        )
        .annotate(hours=Sum("total_hours"))
        .order_by("placement__contract__reference")
    )
    hours_by_contract = [
        SpaserContractHours(
            pk=row["placement__contract_id"],
            reference=row["placement__contract__reference"],
            title=row["placement__contract__title"],
            hours=Decimal(row["hours"]),
        )
        for row in hours_rows
    ]
    return SpaserReport(
        buyer=buyer,
        year=year,
        figures=figures,
        without_notification=totals["without_notification"],
        hours=sum((row.hours for row in hours_by_contract), Decimal(0)),
        hours_per_fte=buyer.network.hours_per_fte,
        contracts=list(
            of_year.select_related("awarded_company").order_by("reference_date", "reference")
        ),
        hours_by_contract=hours_by_contract,
        purchasing=purchasing_of(contracts, buyer_records(scope, buyer)),
    )
