"""Figures of the dashboards, computed in the database and scoped to the user.

Every function takes the user's ``UserScope`` and answers in a constant, small number of
queries: totals are SQL aggregates, per-row figures are correlated subqueries (never a
join that would count an hour twice), and nothing is read row by row in Python except the
contract statuses, which come from the pure ``procurement.progress`` rules applied to one
already-aggregated query.

Realised hours are the *validated* hours entries of placements on the contracts in scope;
declared hours awaiting review and rejected hours never count as realised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tremplin.core.fte import (
    LEGAL_ANNUAL_HOURS,
    full_time_equivalents,
    rounded_full_time_equivalents,
    whole_full_time_equivalents,
)
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry, Participant
from tremplin.inclusion.selectors import hours_awaiting_review, hours_totals
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Membership, Network, Organisation
from tremplin.procurement.enums import PROGRESS_STATUS_COLOURS, ProgressStatusChoice
from tremplin.procurement.models import Contract
from tremplin.procurement.progress import ProgressStatus, contract_progress

HOURS_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)
# How many late contracts the dashboard lists before pointing to the full list.
LATE_CONTRACTS_SHOWN = 10


# --- Figures -------------------------------------------------------------------------


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole > 0 else None


def _bar_percent(part: Decimal, whole: Decimal) -> int:
    """Width of a progress bar, 0 to 100 (a plain integer: safe in a style attribute)."""
    if whole <= 0:
        return 0
    return int(min(Decimal(100), part * 100 / whole))


@dataclass(frozen=True)
class HoursFigures:
    """Hours required and realised over a set of contracts, with their FTE."""

    hours_per_fte: int
    hours_required: Decimal = ZERO
    hours_validated: Decimal = ZERO

    @property
    def whole_fte(self) -> int:
        return whole_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def exact_fte(self) -> Decimal:
        """FTE to the hundredth, rounded to the nearest (258,000 h at 1,820 h: 141.76)."""
        return full_time_equivalents(self.hours_validated, self.hours_per_fte).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def fte(self) -> Decimal:
        """FTE to the tenth, rounded down: the figure of a table row."""
        return rounded_full_time_equivalents(self.hours_validated, self.hours_per_fte)

    @property
    def share_realised(self) -> Decimal | None:
        return _share(self.hours_validated, self.hours_required)

    @property
    def bar_percent(self) -> int:
        return _bar_percent(self.hours_validated, self.hours_required)

    @property
    def hours_remaining(self) -> Decimal:
        return max(ZERO, self.hours_required - self.hours_validated)


@dataclass(frozen=True)
class FacilitatorFigures(HoursFigures):
    hours_declared: Decimal = ZERO
    contracts: int = 0
    contracts_with_clause: int = 0
    participants: int = 0
    buyers: int = 0


@dataclass(frozen=True)
class BuyerRow(HoursFigures):
    buyer_id: int = 0
    name: str = ""
    contracts_with_clause: int = 0


@dataclass(frozen=True)
class ContractRow:
    """A contract with its realised hours and progress status (no personal data)."""

    pk: int
    reference: str
    title: str
    buyer_name: str
    company_name: str
    hours_required: Decimal
    hours_validated: Decimal
    hours_declared: Decimal
    hours_expected: Decimal
    status: ProgressStatus
    execution_end: date

    @property
    def status_label(self) -> str:
        return str(ProgressStatusChoice(self.status).label)

    @property
    def status_colour(self) -> str:
        return PROGRESS_STATUS_COLOURS[self.status]

    @property
    def share_realised(self) -> Decimal | None:
        return _share(self.hours_validated, self.hours_required)

    @property
    def bar_percent(self) -> int:
        return _bar_percent(self.hours_validated, self.hours_required)

    @property
    def expected_percent(self) -> int:
        return _bar_percent(self.hours_expected, self.hours_required)

    @property
    def hours_remaining(self) -> Decimal:
        return max(ZERO, self.hours_required - self.hours_validated)


@dataclass(frozen=True)
class StatusCount:
    status: ProgressStatus
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class StatusSummary:
    counts: list[StatusCount]
    late: list[ContractRow]

    @property
    def late_count(self) -> int:
        return len(self.late)

    @property
    def late_shown(self) -> list[ContractRow]:
        return self.late[:LATE_CONTRACTS_SHOWN]

    @property
    def late_hidden(self) -> int:
        return max(0, len(self.late) - LATE_CONTRACTS_SHOWN)


@dataclass(frozen=True)
class FacilitatorDashboard:
    structures: list[Organisation]
    network: Network | None
    figures: FacilitatorFigures
    buyers: list[BuyerRow]
    statuses: StatusSummary

    @property
    def structure_names(self) -> str:
        return ", ".join(structure.name for structure in self.structures)


@dataclass(frozen=True)
class ContractsDashboard:
    """A buyer's or a company's contracts: their totals and one row each."""

    organisations: list[Organisation]
    figures: HoursFigures
    contracts: list[ContractRow]
    hours_declared: Decimal = ZERO

    @property
    def organisation_names(self) -> str:
        return ", ".join(organisation.name for organisation in self.organisations)

    @property
    def status_counts(self) -> list[StatusCount]:
        return _count_statuses(row.status for row in self.contracts)


# --- Query helpers -------------------------------------------------------------------


def _subquery(
    queryset: QuerySet[object], group: str, aggregate: Count | Sum, output: object
) -> Coalesce:
    """One aggregate of ``queryset`` (filtered on an OuterRef) as a correlated subquery."""
    inner = queryset.order_by().values(group).annotate(value=aggregate).values("value")[:1]
    return Coalesce(Subquery(inner), Value(0), output_field=output)


def _hours_sum(status: str) -> Sum:
    return Sum("total_hours", filter=Q(status=status))


def _validated_hours_of_contracts(contracts: QuerySet[Contract]) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    )


def _count_statuses(statuses: Iterable[ProgressStatus]) -> list[StatusCount]:
    tally = dict.fromkeys(ProgressStatus, 0)
    for status in statuses:
        tally[status] += 1
    return [
        StatusCount(
            status=status,
            label=str(ProgressStatusChoice(status).label),
            colour=PROGRESS_STATUS_COLOURS[status],
            count=count,
        )
        for status, count in tally.items()
    ]


def _contract_rows(contracts: QuerySet[Contract], today: date) -> list[ContractRow]:
    """One query: each contract with its validated and declared hours, then its status."""
    entries = HoursEntry.objects.filter(placement__contract=OuterRef("pk"))
    rows = (
        contracts.annotate(
            validated=_subquery(
                entries.filter(status=HoursStatus.VALIDATED),
                "placement__contract",
                Sum("total_hours"),
                HOURS_FIELD,
            ),
            declared=_subquery(
                entries.filter(status=HoursStatus.DECLARED),
                "placement__contract",
                Sum("total_hours"),
                HOURS_FIELD,
            ),
        )
        .order_by("execution_end", "reference")
        .values(
            "pk",
            "reference",
            "title",
            "buyer__name",
            "awarded_company__name",
            "hours_required",
            "execution_start",
            "execution_end",
            "validated",
            "declared",
        )
    )
    result = []
    for row in rows:
        progress = contract_progress(
            required=row["hours_required"],
            realised=row["validated"],
            start=row["execution_start"],
            end=row["execution_end"],
            today=today,
        )
        result.append(
            ContractRow(
                pk=row["pk"],
                reference=row["reference"],
                title=row["title"],
                buyer_name=row["buyer__name"],
                company_name=row["awarded_company__name"] or "",
                hours_required=Decimal(row["hours_required"]),
                hours_validated=Decimal(row["validated"]),
                hours_declared=Decimal(row["declared"]),
                hours_expected=progress.expected,
                status=progress.status,
                execution_end=row["execution_end"],
            )
        )
    return result


def _hours_per_fte(organisations: list[Organisation]) -> int:
    """The FTE convention of the organisations' network (the first one's, if several)."""
    return organisations[0].network.hours_per_fte if organisations else LEGAL_ANNUAL_HOURS


# --- Facilitator structures ----------------------------------------------------------


def facilitated_contracts(scope: UserScope) -> QuerySet[Contract]:
    """Contracts facilitated by the user's facilitator structures."""
    return Contract.objects.filter(facilitator_id__in=scope.facilitator_ids)


def facilitator_figures(scope: UserScope, hours_per_fte: int) -> FacilitatorFigures:
    """The headline figures of the user's facilitator structures (four queries).

    Realised hours are those of the structures' contracts. Hours awaiting review are the
    declared hours of the structures' participants, whatever the contract: exactly the
    queue of the review page (``inclusion.selectors.hours_awaiting_review``).
    """
    contracts = facilitated_contracts(scope)
    contract_totals = contracts.aggregate(
        contracts=Count("pk"),
        contracts_with_clause=Count("pk", filter=Q(hours_required__gt=0)),
        hours_required=Coalesce(Sum("hours_required"), 0),
        buyers=Count("buyer_id", distinct=True),
    )
    validated = _validated_hours_of_contracts(contracts).aggregate(
        total=Coalesce(Sum("total_hours"), Value(ZERO), output_field=HOURS_FIELD)
    )["total"]
    awaiting_review = hours_totals(hours_awaiting_review(scope))
    participants = Participant.objects.filter(facilitator_id__in=scope.facilitator_ids).count()
    return FacilitatorFigures(
        hours_per_fte=hours_per_fte,
        hours_required=Decimal(contract_totals["hours_required"]),
        hours_validated=Decimal(validated),
        hours_declared=Decimal(awaiting_review.hours),
        contracts=contract_totals["contracts"],
        contracts_with_clause=contract_totals["contracts_with_clause"],
        participants=participants,
        buyers=contract_totals["buyers"],
    )


def buyer_rows(scope: UserScope, hours_per_fte: int) -> list[BuyerRow]:
    """One row per buyer of the structures' contracts (one query)."""
    contracts = facilitated_contracts(scope).filter(buyer_id=OuterRef("pk"))
    validated = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED,
        placement__contract__facilitator_id__in=scope.facilitator_ids,
        placement__contract__buyer_id=OuterRef("pk"),
    )
    buyers = (
        Organisation.objects.filter(pk__in=facilitated_contracts(scope).values("buyer_id"))
        .annotate(
            clause_count=_subquery(
                contracts.filter(hours_required__gt=0),
                "buyer_id",
                Count("pk"),
                IntegerField(),
            ),
            required=_subquery(contracts, "buyer_id", Sum("hours_required"), IntegerField()),
            validated=_subquery(
                validated, "placement__contract__buyer_id", Sum("total_hours"), HOURS_FIELD
            ),
        )
        .order_by("-required", "name")
        .values("pk", "name", "clause_count", "required", "validated")
    )
    return [
        BuyerRow(
            hours_per_fte=hours_per_fte,
            hours_required=Decimal(row["required"]),
            hours_validated=Decimal(row["validated"]),
            buyer_id=row["pk"],
            name=row["name"],
            contracts_with_clause=row["clause_count"],
        )
        for row in buyers
    ]


def facilitator_dashboard(scope: UserScope, *, today: date) -> FacilitatorDashboard:
    """Everything the home page of a facilitator shows (seven queries)."""
    structures = list(
        Organisation.objects.filter(
            pk__in=scope.facilitator_ids, kind=OrganisationKind.FACILITATOR
        ).select_related("network")
    )
    hours_per_fte = _hours_per_fte(structures)
    contracts = facilitated_contracts(scope).filter(hours_required__gt=0)
    rows = _contract_rows(contracts, today)
    return FacilitatorDashboard(
        structures=structures,
        network=structures[0].network if structures else None,
        figures=facilitator_figures(scope, hours_per_fte),
        buyers=buyer_rows(scope, hours_per_fte),
        statuses=StatusSummary(
            counts=_count_statuses(row.status for row in rows),
            late=sorted(
                (row for row in rows if row.status == ProgressStatus.LATE),
                key=lambda row: row.hours_validated - row.hours_expected,
            ),
        ),
    )


# --- Buyers and companies ------------------------------------------------------------


def _contracts_dashboard(
    organisations: list[Organisation], contracts: QuerySet[Contract], today: date
) -> ContractsDashboard:
    rows = _contract_rows(contracts, today)
    totals = contracts.aggregate(hours_required=Coalesce(Sum("hours_required"), 0))
    hours = HoursEntry.objects.filter(placement__contract__in=contracts.values("pk")).aggregate(
        validated=Coalesce(
            _hours_sum(HoursStatus.VALIDATED), Value(ZERO), output_field=HOURS_FIELD
        ),
        declared=Coalesce(_hours_sum(HoursStatus.DECLARED), Value(ZERO), output_field=HOURS_FIELD),
    )
    return ContractsDashboard(
        organisations=organisations,
        figures=HoursFigures(
            hours_per_fte=_hours_per_fte(organisations),
            hours_required=Decimal(totals["hours_required"]),
            hours_validated=Decimal(hours["validated"]),
        ),
        contracts=rows,
        hours_declared=Decimal(hours["declared"]),
    )


def buyer_dashboard(scope: UserScope, *, today: date) -> ContractsDashboard:
    """The buyer's contracts with a clause, with their progress (four queries)."""
    buyers = list(Organisation.objects.filter(pk__in=scope.buyer_ids).select_related("network"))
    contracts = Contract.objects.filter(buyer_id__in=scope.buyer_ids, hours_required__gt=0)
    return _contracts_dashboard(buyers, contracts, today)


def company_contracts(scope: UserScope) -> QuerySet[Contract]:
    """Contracts the user's companies hold, alone or as co-contractors."""
    co_contracting = Contract.co_contractors.through.objects.filter(
        contract_id=OuterRef("pk"), organisation_id__in=scope.company_ids
    )
    return Contract.objects.filter(
        Q(awarded_company_id__in=scope.company_ids) | Q(Exists(co_contracting))
    )


def company_dashboard(scope: UserScope, *, today: date) -> ContractsDashboard:
    """What the user's companies owe and have realised, contract by contract (four queries)."""
    companies = list(
        Organisation.objects.filter(pk__in=scope.company_ids).select_related("network")
    )
    contracts = company_contracts(scope).filter(hours_required__gt=0)
    return _contracts_dashboard(companies, contracts, today)


def organisations_of(scope: UserScope) -> list[Organisation]:
    """The organisations the user works for, whatever their kind."""
    return list(Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name"))


# --- Alerts --------------------------------------------------------------------------


def late_contracts(scope: UserScope, today: date) -> list[ContractRow]:
    """The structures' contracts with a clause that fall behind their expected hours."""
    contracts = facilitated_contracts(scope).filter(hours_required__gt=0)
    return [row for row in _contract_rows(contracts, today) if row.status == ProgressStatus.LATE]


@dataclass(frozen=True)
class DigestRecipient:
    user_id: int
    email: str
    first_name: str
    structure_ids: frozenset[int]
    structure_names: tuple[str, ...]


def digest_recipients() -> list[DigestRecipient]:
    """Active facilitators with an email address, with their structures (one query)."""
    memberships = (
        Membership.objects.filter(
            organisation__kind=OrganisationKind.FACILITATOR,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("user__email", "organisation__name")
        .values_list(
            "user_id", "user__email", "user__first_name", "organisation_id", "organisation__name"
        )
    )
    by_user: dict[int, tuple[str, str, list[int], list[str]]] = {}
    for user_id, email, first_name, organisation_id, name in memberships:
        entry = by_user.setdefault(user_id, (email, first_name, [], []))
        entry[2].append(organisation_id)
        entry[3].append(name)
    return [
        DigestRecipient(
            user_id=user_id,
            email=email,
            first_name=first_name,
            structure_ids=frozenset(ids),
            structure_names=tuple(names),
        )
        for user_id, (email, first_name, ids, names) in by_user.items()
    ]
