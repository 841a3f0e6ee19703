"""Scoped reads of personal data. Every query of participants, placements and hours
starts here, from the user's scope: a structure never sees another's participants."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tremplin.core.models import RomeJobTitle
from tremplin.inclusion import duplicates
from tremplin.inclusion.age import AGE_BANDS
from tremplin.inclusion.enums import (
    OUTCOME_CATEGORIES,
    CriterionStatus,
    HoursStatus,
    OutcomeMoment,
)
from tremplin.inclusion.followup import exits_due_by
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    HoursEntry,
    InclusionEvent,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Membership, Network, Organisation
from tremplin.organisations.selectors import employers_for_placements, organisations_visible_to
from tremplin.procurement.models import Clause, Contract, Lot
from tremplin.procurement.selectors import (
    contracts_visible_to,
    remaining_hours,
    with_hours,
    with_remaining,
)


def participants_visible_to(scope: UserScope) -> QuerySet[Participant]:
    return Participant.objects.filter(facilitator_id__in=scope.facilitator_ids)


def placements_visible_to(scope: UserScope) -> QuerySet[Placement]:
    return Placement.objects.filter(participant__facilitator_id__in=scope.facilitator_ids)


def hours_entries_visible_to(scope: UserScope) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.filter(
        placement__participant__facilitator_id__in=scope.facilitator_ids
    )


def participant_list(scope: UserScope, *, search: str = "") -> QuerySet[Participant]:
    participants = participants_visible_to(scope)
    if search:
        participants = participants.filter(
            Q(last_name__icontains=search) | Q(first_name__icontains=search)
        )
    return participants.select_related("facilitator").annotate(
        placement_count=Count("placements", distinct=True),
        validated_hours=Coalesce(
            Sum(
                "placements__hours_entries__total_hours",
                filter=Q(placements__hours_entries__status=HoursStatus.VALIDATED),
            ),
            Value(0),
            output_field=HoursEntry._meta.get_field("total_hours").output_field,
        ),
    )


def participant_detail(scope: UserScope, pk: int) -> Participant:
    return (
        participants_visible_to(scope)
        .select_related("facilitator__network", "referred_by")
        .prefetch_related("criteria__criterion", "criteria__checked_by", "criteria__decided_by")
        .get(pk=pk)
    )


def placements_of_participant(scope: UserScope, participant: Participant) -> QuerySet[Placement]:
    return (
        placements_visible_to(scope)
        .filter(participant=participant)
        .select_related("contract__buyer", "lot", "employer", "job")
        .annotate(
            validated_hours=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.VALIDATED),
                ),
                Value(0),
                output_field=HoursEntry._meta.get_field("total_hours").output_field,
            )
        )
    )


def placements_of_contract(scope: UserScope, contract_id: int) -> QuerySet[Placement]:
    return (
        placements_visible_to(scope)
        .filter(contract_id=contract_id)
        .select_related("participant", "lot", "employer", "job", "pool__employer")
        .annotate(
            validated_hours=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.VALIDATED),
                ),
                Value(0),
                output_field=HoursEntry._meta.get_field("total_hours").output_field,
            ),
            declared_hours=Coalesce(
                Sum(
                    "hours_entries__total_hours",
                    filter=Q(hours_entries__status=HoursStatus.DECLARED),
                ),
                Value(0),
                output_field=HoursEntry._meta.get_field("total_hours").output_field,
            ),
        )
    )


def placement_detail(scope: UserScope, pk: int) -> Placement:
    return (
        placements_visible_to(scope)
        .select_related(
            "participant",
            "contract__buyer",
            "contract__facilitator__network",
            "lot",
            "employer",
            "job__rome",
        )
        .get(pk=pk)
    )


def hours_of_placement(scope: UserScope, placement: Placement) -> QuerySet[HoursEntry]:
    return (
        hours_entries_visible_to(scope)
        .filter(placement=placement)
        .select_related("declared_by", "reviewed_by")
        .order_by("month")
    )


def hours_awaiting_review(scope: UserScope) -> QuerySet[HoursEntry]:
    """The facilitator's queue: declared hours waiting to be validated or rejected."""
    return (
        hours_entries_visible_to(scope)
        .filter(status=HoursStatus.DECLARED)
        .select_related(
            "placement__participant",
            "placement__contract__buyer",
            "placement__employer",
            "declared_by",
        )
        .order_by("month", "placement__contract__reference", "placement__participant__last_name")
    )


def history_of_participant(scope: UserScope, participant: Participant) -> QuerySet[InclusionEvent]:
    """The participant's events, and those of the records merged into it."""
    if participant.facilitator_id not in scope.facilitator_ids:
        return InclusionEvent.objects.none()
    return (
        InclusionEvent.objects.filter(
            Q(participant=participant) | Q(participant__merged_into=participant)
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def criteria_of_structures(scope: UserScope) -> QuerySet[EligibilityCriterion]:
    """The criteria accepted by the networks of the user's structures (the filter's choices)."""
    return (
        EligibilityCriterion.objects.filter(networks__organisations__in=scope.facilitator_ids)
        .distinct()
        .order_by("position", "label")
    )


def criteria_accepted_by(network: Network) -> QuerySet[EligibilityCriterion]:
    return EligibilityCriterion.objects.filter(networks=network).order_by("position")


# Pages of the inclusion app ------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeopleFilters:
    """The people behind a figure of the indicators page: those with validated hours in
    the months [first_month, last_day] on the selected contracts, narrowed by a field of
    theirs or by an outcome observed in the period. Same definitions as the report."""

    first_month: date | None = None  # first day of the first month
    last_day: date | None = None  # last day of the last month
    contract_id: int | None = None
    buyer_id: int | None = None
    structure_id: int | None = None  # the facilitator structure of the contract
    sex: str = ""
    age_band: str = ""  # a key of AGE_BANDS, age on ``age_day``
    age_day: date | None = None  # the report's reference day (start of the period)
    qpv: bool | None = None
    qualification: str = ""
    outcome_moment: str = ""
    outcome_category: str = ""  # an OutcomeCategory value, with ``outcome_moment``


def _report_people(
    scope: UserScope, participants: QuerySet[Participant], filters: ReportPeopleFilters
) -> QuerySet[Participant]:
    """``participants`` narrowed to the people of an indicators figure (no query)."""
    contracts = Contract.objects.filter(facilitator_id__in=scope.facilitator_ids)
    if filters.contract_id:
        contracts = contracts.filter(pk=filters.contract_id)
    if filters.buyer_id:
        contracts = contracts.filter(buyer_id=filters.buyer_id)
    if filters.structure_id:
        contracts = contracts.filter(facilitator_id=filters.structure_id)
    entries = HoursEntry.objects.filter(placement=OuterRef("pk"), status=HoursStatus.VALIDATED)
    if filters.first_month:
        entries = entries.filter(month__gte=filters.first_month)
    if filters.last_day:
        entries = entries.filter(month__lte=filters.last_day)
    participants = participants.filter(
        pk__in=Placement.objects.filter(contract__in=contracts.values("pk"))
        .filter(Exists(entries))
        .values("participant_id")
    )
    if filters.sex:
        participants = participants.filter(sex=filters.sex)
    if filters.qpv is not None:
        participants = participants.filter(qpv_resident=filters.qpv)
    if filters.qualification:
        participants = participants.filter(qualification_level=filters.qualification)
    band = next((band for band in AGE_BANDS if band.key == filters.age_band), None)
    if band is not None and filters.age_day:
        born_after, born_by = band.birth_dates(filters.age_day)
        if born_after is not None:
            participants = participants.filter(birth_date__gt=born_after)
        if born_by is not None:
            participants = participants.filter(birth_date__lte=born_by)
    if filters.outcome_moment and filters.outcome_category:
        outcomes = Outcome.objects.filter(
            participant=OuterRef("pk"),
            moment=filters.outcome_moment,
            situation__in=[
                situation
                for situation, category in OUTCOME_CATEGORIES.items()
                if category == filters.outcome_category
            ],
        )
        if filters.first_month:
            outcomes = outcomes.filter(observed_on__gte=filters.first_month)
        if filters.last_day:
            outcomes = outcomes.filter(observed_on__lte=filters.last_day)
        participants = participants.filter(Exists(outcomes))
    return participants


def report_filter_names(filters: ReportPeopleFilters) -> dict[int, str]:
    """The names of the contract, buyer and structure of ``filters`` (one query at most)."""
    names: dict[int, str] = {}
    organisation_ids = [pk for pk in (filters.buyer_id, filters.structure_id) if pk]
    if organisation_ids:
        names.update(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    return names


def report_contract_reference(scope: UserScope, contract_id: int | None) -> str:
    """The reference of one of the user's structures' contracts ("" if none)."""
    if not contract_id:
        return ""
    return (
        Contract.objects.filter(pk=contract_id, facilitator_id__in=scope.facilitator_ids)
        .values_list("reference", flat=True)
        .first()
        or ""
    )


def participant_rows(
    scope: UserScope,
    *,
    search: str = "",
    criterion: str = "",
    report: ReportPeopleFilters | None = None,
) -> QuerySet[Participant]:
    """The participants list: ``participant_list`` with each one's criteria prefetched.

    ``criterion`` (a code of the reference list) keeps the people who hold it confirmed:
    the rows behind a "participants by criterion" figure. ``report`` keeps the people
    behind a figure of the indicators page.
    """
    words = search.split()
    participants = participant_list(scope)
    if report is not None:
        participants = _report_people(scope, participants, report)
    if criterion:
        participants = participants.filter(
            Exists(
                ParticipantCriterion.objects.filter(
                    participant=OuterRef("pk"),
                    criterion__code=criterion,
                    status=CriterionStatus.CONFIRMED,
                )
            )
        )
    for word in words:
        participants = participants.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word)
        )
    return participants.prefetch_related(
        Prefetch(
            "criteria",
            queryset=ParticipantCriterion.objects.select_related("criterion").order_by(
                "criterion__position"
            ),
        )
    ).order_by("last_name", "first_name", "pk")


def participant_criterion_detail(scope: UserScope, pk: int) -> ParticipantCriterion:
    """A participant's criterion if the participant is visible (raises DoesNotExist)."""
    return (
        ParticipantCriterion.objects.filter(participant__facilitator_id__in=scope.facilitator_ids)
        .select_related("participant", "criterion")
        .get(pk=pk)
    )


def own_structures(scope: UserScope) -> QuerySet[Organisation]:
    """The facilitator structures the user works for (not those merely coordinated)."""
    return Organisation.objects.filter(
        pk__in=scope.facilitator_ids, kind=OrganisationKind.FACILITATOR
    ).order_by("name")


def prescribers_for(scope: UserScope) -> QuerySet[Organisation]:
    return organisations_visible_to(scope).filter(kind=OrganisationKind.PRESCRIBER).order_by("name")


def contracts_for_placements(scope: UserScope) -> QuerySet[Contract]:
    """Contracts on which the user's structures can place participants: those they facilitate."""
    return (
        contracts_visible_to(scope)
        .filter(facilitator_id__in=scope.facilitator_ids)
        .select_related("buyer")
        .order_by("-execution_start", "reference")
    )


def lots_for_placements(scope: UserScope, contract_id: int | None = None) -> QuerySet[Lot]:
    """Lots of the contracts the user's structures facilitate; of one of them if given."""
    lots = Lot.objects.filter(contract__in=contracts_for_placements(scope).values("pk"))
    if contract_id is not None:
        lots = lots.filter(contract_id=contract_id)
    return lots.order_by("contract_id", "number")


def employers_for(scope: UserScope) -> QuerySet[Organisation]:
    return employers_for_placements(scope).order_by("name")


def _fold(text: str) -> str:
    """Lower case without accents: "Maçon" and "macon" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


_job_title_index: list[tuple[int, str, str]] = []


def _job_titles() -> list[tuple[int, str, str]]:
    """(code, folded title, folded searchable text) of every ROME job title, read once:
    the reference list only changes with a migration."""
    if not _job_title_index:
        rows = RomeJobTitle.objects.order_by("title").values_list(
            "code", "title", "short_title", "rome_id"
        )
        _job_title_index.extend(
            (code, _fold(title), _fold(f"{title} {short_title} {rome_id}"))
            for code, title, short_title, rome_id in rows
        )
    return _job_title_index


def search_job_titles(query: str, *, limit: int = 40) -> list[RomeJobTitle]:
    """ROME job titles holding every word of ``query``, accents ignored; a ROME code
    (F1703) finds its titles. Titles starting with the first word come first."""
    words = [_fold(word) for word in query.split()]
    if not words:
        return []
    matches = [
        (not title.startswith(words[0]), code)
        for code, title, text in _job_titles()
        if all(word in text for word in words)
    ]
    matches.sort(key=lambda match: match[0])  # stable: alphabetical inside each group
    codes = [code for _, code in matches[:limit]]
    titles = RomeJobTitle.objects.select_related("rome").in_bulk(codes)
    return [titles[code] for code in codes if code in titles]


def hours_entry_detail(scope: UserScope, pk: int) -> HoursEntry:
    """One month of hours if its participant is visible (raises DoesNotExist)."""
    return (
        hours_entries_visible_to(scope)
        .select_related("placement__participant", "placement__contract", "placement__employer")
        .get(pk=pk)
    )


def hours_review_queue(
    scope: UserScope,
    *,
    month: date | None = None,
    contract_id: int | None = None,
    employer_id: int | None = None,
) -> QuerySet[HoursEntry]:
    """Declared hours of the user's structures, narrowed to a month, a contract, an employer."""
    entries = hours_awaiting_review(scope).select_related(
        "placement__lot", "placement__job", "placement__contract"
    )
    if month is not None:
        entries = entries.filter(month=month.replace(day=1))
    if contract_id:
        entries = entries.filter(placement__contract_id=contract_id)
    if employer_id:
        entries = entries.filter(placement__employer_id=employer_id)
    return entries


@dataclass(frozen=True)
class HoursTotals:
    count: int
    hours: Decimal


def hours_totals(entries: QuerySet[HoursEntry]) -> HoursTotals:
    totals = entries.order_by().aggregate(count=Count("pk"), hours=Sum("total_hours"))
    return HoursTotals(count=totals["count"] or 0, hours=totals["hours"] or Decimal(0))


def hours_entries_by_ids(scope: UserScope, ids: list[int]) -> QuerySet[HoursEntry]:
    """The visible entries among ``ids``, whatever their status."""
    return hours_entries_visible_to(scope).filter(pk__in=ids)


def review_filter_employers(scope: UserScope) -> QuerySet[Organisation]:
    """Employers of the user's placements: the choices of the review queue's filter."""
    return Organisation.objects.filter(
        pk__in=placements_visible_to(scope).values("employer_id")
    ).order_by("name")


def history_references(events: list[InclusionEvent]) -> dict[str, dict[int, Any]]:
    """Names of what history events point to (organisations, criteria, contracts, lots,
    jobs, placements and hours), fetched in one query per kind for the whole timeline."""
    wanted: dict[str, set[int]] = {
        "organisation": set(),
        "criterion": set(),
        "contract": set(),
        "lot": set(),
        "job": set(),
        "placement": set(),
        "hoursentry": set(),
    }
    keys = {
        "referred_by_id": "organisation",
        "employer_id": "organisation",
        "criterion_id": "criterion",
        "contract_id": "contract",
        "lot_id": "lot",
        "job_id": "job",
        "placement_id": "placement",
    }
    for event in events:
        if event.object_type in ("placement", "hoursentry"):
            wanted[event.object_type].add(event.object_id)
        for snapshot in (event.before, event.after):
            for name, value in (snapshot or {}).items():
                if name in keys and value:
                    wanted[keys[name]].add(int(value))
    references: dict[str, dict[int, Any]] = {}
    references["organisation"] = dict(
        Organisation.objects.filter(pk__in=wanted["organisation"]).values_list("pk", "name")
    )
    references["criterion"] = dict(
        EligibilityCriterion.objects.filter(pk__in=wanted["criterion"]).values_list("pk", "label")
    )
    references["contract"] = dict(
        Contract.objects.filter(pk__in=wanted["contract"]).values_list("pk", "reference")
    )
    references["lot"] = {
        lot.pk: f"Lot {lot.number} — {lot.title}"
        for lot in Lot.objects.filter(pk__in=wanted["lot"])
    }
    references["job"] = dict(
        RomeJobTitle.objects.filter(pk__in=wanted["job"]).values_list("pk", "title")
    )
    references["placement"] = {
        placement.pk: placement
        for placement in Placement.objects.filter(pk__in=wanted["placement"]).select_related(
            "contract"
        )
    }
    references["hoursentry"] = {
        entry.pk: entry
        for entry in HoursEntry.objects.filter(pk__in=wanted["hoursentry"]).select_related(
            "placement__contract"
        )
    }
    return references


# Eligibility declared by employers, checked by facilitators ----------------------------


def criteria_to_check(scope: UserScope) -> QuerySet[ParticipantCriterion]:
    """The facilitator's queue: criteria declared by employers, waiting for a check."""
    return (
        ParticipantCriterion.objects.filter(
            participant__facilitator_id__in=scope.facilitator_ids,
            status=CriterionStatus.TO_CHECK,
        )
        .select_related("participant__facilitator", "criterion", "checked_by")
        .order_by("checked_on", "participant__last_name", "pk")
    )


def employers_of_participants(participant_ids: list[int]) -> dict[int, list[str]]:
    """The employers of each participant's placements, by name (one query)."""
    employers: dict[int, list[str]] = {}
    rows = (
        Placement.objects.filter(participant_id__in=participant_ids)
        .order_by("employer__name")
        .values_list("participant_id", "employer__name")
        .distinct()
    )
    for participant_id, name in rows:
        employers.setdefault(participant_id, []).append(name)
    return employers


# Companies and inclusion employers ------------------------------------------------------
# A company (or an inclusion employer: SIAE, GEIQ, EA) sees the placements it employs,
# their hours, and those people only: never a person placed elsewhere, never another
# employer's placement. Its contracts are those it holds, shares, subcontracts or
# employs people on.


def company_placements_visible_to(scope: UserScope) -> QuerySet[Placement]:
    return Placement.objects.filter(employer_id__in=scope.company_ids)


def company_participants_visible_to(scope: UserScope) -> QuerySet[Participant]:
    return Participant.objects.filter(
        pk__in=company_placements_visible_to(scope).values("participant_id")
    )


def company_hours_entries_visible_to(scope: UserScope) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.filter(placement__employer_id__in=scope.company_ids)


def company_criteria_visible_to(scope: UserScope) -> QuerySet[ParticipantCriterion]:
    """Criteria the company vouched for itself (declared by one of its members), of the
    people it employs; the facilitator's own records stay with the facilitator."""
    vouched = Membership.objects.filter(
        user_id=OuterRef("checked_by_id"), organisation_id__in=scope.company_ids
    )
    return ParticipantCriterion.objects.filter(
        Exists(vouched), participant__in=company_participants_visible_to(scope)
    )


def company_contracts_visible_to(scope: UserScope) -> QuerySet[Contract]:
    if not scope.company_ids:
        return Contract.objects.none()
    ids = scope.company_ids
    co_contracted = Contract.co_contractors.through.objects.filter(
        contract_id=OuterRef("pk"), organisation_id__in=ids
    )
    subcontracted = Contract.subcontractors.through.objects.filter(
        contract_id=OuterRef("pk"), organisation_id__in=ids
    )
    lots = Lot.objects.filter(contract_id=OuterRef("pk"), awarded_company_id__in=ids)
    employs = Placement.objects.filter(contract_id=OuterRef("pk"), employer_id__in=ids)
    return Contract.objects.filter(
        Q(awarded_company_id__in=ids)
        | Q(Exists(co_contracted))
        | Q(Exists(subcontracted))
        | Q(Exists(lots))
        | Q(Exists(employs))
    )


def company_contract_list(scope: UserScope, *, search: str = "") -> QuerySet[Contract]:
    """The company's contracts with their hours, clauses and buyer (latest first)."""
    contracts = company_contracts_visible_to(scope)
    if search:
        contracts = contracts.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(buyer__name__icontains=search)
        )
    return (
        with_hours(contracts)
        .select_related("buyer", "awarded_company", "facilitator")
        .prefetch_related(
            Prefetch("clauses", queryset=Clause.objects.select_related("lot").order_by("pk"))
        )
        .order_by("-execution_start", "reference", "pk")
    )


def company_contract_detail(scope: UserScope, pk: int) -> Contract:
    """One of the company's contracts (raises Contract.DoesNotExist otherwise), with what
    it still owes."""
    contract = (
        with_hours(company_contracts_visible_to(scope).filter(pk=pk))
        .select_related("buyer", "awarded_company", "facilitator__network")
        .prefetch_related(
            Prefetch("clauses", queryset=Clause.objects.select_related("lot").order_by("pk")),
            "co_contractors",
            "subcontractors",
        )
        .get()
    )
    return with_remaining([contract])[0]


@dataclass(frozen=True)
class CompanyHours:
    """What the company's own placements bring to a contract."""

    placements: int = 0
    validated: Decimal = Decimal(0)
    declared: Decimal = Decimal(0)
    rejected_months: int = 0


def company_hours_by_contract(scope: UserScope, contract_ids: list[int]) -> dict[int, CompanyHours]:
    """The company's placements and hours on each contract (two queries)."""
    if not contract_ids:
        return {}
    placements = dict(
        company_placements_visible_to(scope)
        .filter(contract_id__in=contract_ids)
        .order_by()
        .values("contract_id")
        .annotate(count=Count("pk"))
        .values_list("contract_id", "count")
    )
    hours = {
        row["placement__contract_id"]: row
        for row in company_hours_entries_visible_to(scope)
        .filter(placement__contract_id__in=contract_ids)
        .order_by()
        .values("placement__contract_id")
        .annotate(
            validated=Sum("total_hours", filter=Q(status=HoursStatus.VALIDATED)),
            declared=Sum("total_hours", filter=Q(status=HoursStatus.DECLARED)),
            rejected=Count("pk", filter=Q(status=HoursStatus.REJECTED)),
        )
    }
    result = {}
    for contract_id in contract_ids:
        row = hours.get(contract_id, {})
        result[contract_id] = CompanyHours(
            placements=placements.get(contract_id, 0),
            validated=row.get("validated") or Decimal(0),
            declared=row.get("declared") or Decimal(0),
            rejected_months=row.get("rejected") or 0,
        )
    return result


def _with_company_hours(placements: QuerySet[Placement]) -> QuerySet[Placement]:
    output = HoursEntry._meta.get_field("total_hours").output_field
    return placements.annotate(
        validated_hours=Coalesce(
            Sum(
                "hours_entries__total_hours", filter=Q(hours_entries__status=HoursStatus.VALIDATED)
            ),
            Value(0),
            output_field=output,
        ),
        declared_hours=Coalesce(
            Sum("hours_entries__total_hours", filter=Q(hours_entries__status=HoursStatus.DECLARED)),
            Value(0),
            output_field=output,
        ),
    )


def company_placements_of_contract(scope: UserScope, contract_id: int) -> QuerySet[Placement]:
    """The company's placements on a contract, each with its months (prefetched)."""
    return (
        _with_company_hours(company_placements_visible_to(scope).filter(contract_id=contract_id))
        .select_related("participant", "lot", "employer", "job")
        .prefetch_related(Prefetch("hours_entries", queryset=HoursEntry.objects.order_by("month")))
        .order_by("participant__last_name", "participant__first_name", "start_date", "pk")
    )


def company_placement_detail(scope: UserScope, pk: int) -> Placement:
    """One of the company's placements (raises Placement.DoesNotExist otherwise)."""
    return (
        company_placements_visible_to(scope)
        .select_related(
            "participant__referred_by",
            "contract__buyer",
            "contract__facilitator",
            "lot",
            "employer",
            "job__rome",
        )
        .get(pk=pk)
    )


def company_hours_of_placement(scope: UserScope, placement: Placement) -> QuerySet[HoursEntry]:
    return (
        company_hours_entries_visible_to(scope)
        .filter(placement=placement)
        .select_related("declared_by", "reviewed_by")
        .order_by("month")
    )


def company_criteria_of_participant(
    scope: UserScope, participant: Participant
) -> QuerySet[ParticipantCriterion]:
    return (
        company_criteria_visible_to(scope)
        .filter(participant=participant)
        .select_related("criterion", "decided_by")
        .order_by("criterion__position")
    )


def company_rejected_hours(scope: UserScope) -> QuerySet[HoursEntry]:
    """Refused months of the company's placements: what it has to correct."""
    return (
        company_hours_entries_visible_to(scope)
        .filter(status=HoursStatus.REJECTED)
        .select_related("placement__participant", "placement__contract")
        .order_by("-month", "placement__participant__last_name", "pk")
    )


def company_refused_criteria(scope: UserScope) -> QuerySet[ParticipantCriterion]:
    """Refused criteria of the company's people, each with one of its placements
    (``placement_id``), where a new piece of evidence is sent."""
    placement = (
        company_placements_visible_to(scope)
        .filter(participant_id=OuterRef("participant_id"))
        .order_by("-start_date", "pk")
        .values("pk")[:1]
    )
    return (
        company_criteria_visible_to(scope)
        .filter(status=CriterionStatus.REFUSED)
        .select_related("participant", "criterion")
        .annotate(placement_id=Subquery(placement))
        .order_by("-decided_at", "pk")
    )


def company_employers(scope: UserScope) -> QuerySet[Organisation]:
    """The user's companies and inclusion employers: who can employ a declared person."""
    return Organisation.objects.filter(pk__in=scope.company_ids).order_by("name")


def company_organisations(scope: UserScope) -> list[Organisation]:
    return list(company_employers(scope).select_related("network"))


def prescribers_of_network(network: Network) -> QuerySet[Organisation]:
    """The prescribers of a network (France Travail, Mission locale…), for a declaration."""
    return Organisation.objects.filter(network=network, kind=OrganisationKind.PRESCRIBER).order_by(
        "name"
    )


def lots_of_contract(contract: Contract) -> QuerySet[Lot]:
    return Lot.objects.filter(contract=contract).order_by("number")


@dataclass(frozen=True)
class CompanyTotals:
    """The company's contracts together: what they require, what is validated, declared."""

    count: int
    hours_required: int
    validated: Decimal
    declared: Decimal
    remaining: Decimal  # what each contract still owes, added up


def company_contract_totals(scope: UserScope) -> CompanyTotals:
    """Totals of the company's contracts (three queries)."""
    contracts = company_contracts_visible_to(scope)
    sums = contracts.aggregate(count=Count("pk"), required=Sum("hours_required"))
    hours = HoursEntry.objects.filter(placement__contract__in=contracts.values("pk")).aggregate(
        validated=Sum("total_hours", filter=Q(status=HoursStatus.VALIDATED)),
        declared=Sum("total_hours", filter=Q(status=HoursStatus.DECLARED)),
    )
    return CompanyTotals(
        count=sums["count"] or 0,
        hours_required=sums["required"] or 0,
        validated=hours["validated"] or Decimal(0),
        declared=hours["declared"] or Decimal(0),
        remaining=remaining_hours(contracts),
    )


def criterion_with_evidence(scope: UserScope, pk: int) -> ParticipantCriterion:
    """A criterion whose evidence file the user may open: the facilitator structure that
    follows the person, or the employer that vouched for it (raises DoesNotExist)."""
    visible = Q(participant__facilitator_id__in=scope.facilitator_ids)
    if scope.company_ids:
        visible |= Q(pk__in=company_criteria_visible_to(scope).values("pk"))
    return (
        ParticipantCriterion.objects.filter(visible)
        .exclude(evidence_file="")
        .select_related("criterion")
        .get(pk=pk)
    )


# Possible duplicates ---------------------------------------------------------------------
# A person recorded twice in one structure: compared only with the records of the same
# structure born the same day, or on the day/month swapped date (found in the database).


@dataclass
class DuplicateCandidate:
    participant: Participant
    reason: str


@dataclass
class DuplicatePair:
    first: Participant
    second: Participant
    reason: str


def _with_placement_count(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    return participants.select_related("facilitator").annotate(
        placement_count=Count("placements", distinct=True)
    )


def possible_duplicates(
    *,
    facilitator_id: int,
    first_name: str,
    last_name: str,
    birth_date: date,
    exclude_pk: int | None = None,
) -> list[DuplicateCandidate]:
    """The structure's participants who may be this person, with why (a few rows read)."""
    dates = [birth_date]
    swapped = duplicates.swapped_day_month(birth_date)
    if swapped is not None:
        dates.append(swapped)
    candidates = Participant.objects.filter(facilitator_id=facilitator_id, birth_date__in=dates)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    person = duplicates.Person(first_name, last_name, birth_date)
    found = []
    for candidate in _with_placement_count(candidates).order_by("last_name", "first_name", "pk"):
        reason = duplicates.match(
            person,
            duplicates.Person(candidate.first_name, candidate.last_name, candidate.birth_date),
        )
        if reason is not None:
            found.append(DuplicateCandidate(candidate, reason))
    return found


def duplicates_of(scope: UserScope, participant: Participant) -> list[DuplicateCandidate]:
    """The possible duplicates of a participant the user follows."""
    if participant.facilitator_id not in scope.facilitator_ids:
        return []
    return possible_duplicates(
        facilitator_id=participant.facilitator_id,
        first_name=participant.first_name,
        last_name=participant.last_name,
        birth_date=participant.birth_date,
        exclude_pk=participant.pk,
    )


def duplicate_pairs(scope: UserScope) -> list[DuplicatePair]:
    """Pairs of possible duplicates within each of the user's structures (one query):
    only the people sharing a birth date, or its day/month swap, with someone of their
    structure are read, then compared by name."""
    others = Participant.objects.filter(facilitator_id=OuterRef("facilitator_id")).exclude(
        pk=OuterRef("pk")
    )
    same_day = others.filter(birth_date=OuterRef("birth_date"))
    swapped_day = others.filter(
        birth_date__year=OuterRef("birth_date__year"),
        birth_date__month=OuterRef("birth_date__day"),
        birth_date__day=OuterRef("birth_date__month"),
    )
    candidates = list(
        _with_placement_count(
            participants_visible_to(scope).filter(Exists(same_day) | Exists(swapped_day))
        ).order_by("facilitator_id", "birth_date", "pk")
    )
    by_day: dict[tuple[int, date], list[Participant]] = {}
    for candidate in candidates:
        by_day.setdefault((candidate.facilitator_id, candidate.birth_date), []).append(candidate)
    pairs = []
    for first in candidates:
        person = duplicates.Person(first.first_name, first.last_name, first.birth_date)
        swapped = duplicates.swapped_day_month(first.birth_date)
        others_found = [
            c for c in by_day[(first.facilitator_id, first.birth_date)] if c.pk > first.pk
        ]
        if swapped is not None and swapped > first.birth_date:
            others_found += by_day.get((first.facilitator_id, swapped), [])
        for second in others_found:
            reason = duplicates.match(
                person, duplicates.Person(second.first_name, second.last_name, second.birth_date)
            )
            if reason is not None:
                pairs.append(DuplicatePair(first, second, reason))
    pairs.sort(
        key=lambda pair: (pair.first.last_name.casefold(), pair.first.first_name, pair.first.pk)
    )
    return pairs


def merge_candidate(scope: UserScope, pk: int) -> Participant:
    """A participant the user may merge (raises DoesNotExist), with its criteria,
    placements and their validated hours."""
    return (
        _with_placement_count(participants_visible_to(scope))
        .prefetch_related("criteria__criterion")
        .get(pk=pk)
    )


# Outcomes at exit and at six months, ESF entry data --------------------------------------


def outcomes_visible_to(scope: UserScope) -> QuerySet[Outcome]:
    return Outcome.objects.filter(
        participant__facilitator_id__in=scope.facilitator_ids,
        participant__merged_into__isnull=True,
    )


def esf_entries_visible_to(scope: UserScope) -> QuerySet[EsfEntry]:
    return EsfEntry.objects.filter(
        participant__facilitator_id__in=scope.facilitator_ids,
        participant__merged_into__isnull=True,
    )


def outcomes_of_participant(scope: UserScope, participant: Participant) -> QuerySet[Outcome]:
    """The participant's situations, the latest exit first, at exit before at 6 months."""
    return (
        outcomes_visible_to(scope)
        .filter(participant=participant)
        .select_related("placement__contract", "recorded_by")
        .order_by("-exit_date", "moment")
    )


def outcome_detail(scope: UserScope, pk: int) -> Outcome:
    return (
        outcomes_visible_to(scope)
        .select_related("participant__facilitator", "placement__contract")
        .get(pk=pk)
    )


def esf_entries_of_participant(scope: UserScope, participant: Participant) -> QuerySet[EsfEntry]:
    return (
        esf_entries_visible_to(scope)
        .filter(participant=participant)
        .select_related("recorded_by")
        .order_by("-entered_on")
    )


def esf_entry_detail(scope: UserScope, pk: int) -> EsfEntry:
    return esf_entries_visible_to(scope).select_related("participant__facilitator").get(pk=pk)


def six_month_follow_ups_due(scope: UserScope, *, today: date) -> QuerySet[Outcome]:
    """Situations at exit whose six-month situation is due by ``today`` and not recorded:
    the exits to follow up, the oldest first (one query)."""
    followed_up = Outcome.objects.filter(
        participant_id=OuterRef("participant_id"),
        exit_date=OuterRef("exit_date"),
        moment=OutcomeMoment.SIX_MONTHS,
    )
    return (
        outcomes_visible_to(scope)
        .filter(moment=OutcomeMoment.EXIT, exit_date__lte=exits_due_by(today))
        .filter(~Exists(followed_up))
        .select_related("participant__facilitator", "placement__contract")
        .order_by("exit_date", "participant__last_name", "participant__first_name", "pk")
    )


def placements_to_leave(scope: UserScope, participant: Participant) -> QuerySet[Placement]:
    """The participant's placements, to name the one an exit ends."""
    return (
        placements_visible_to(scope)
        .filter(participant=participant)
        .select_related("contract", "employer", "job")
        .order_by("-start_date", "pk")
    )


# Exports of the lists --------------------------------------------------------------------
# Every row the page shows (all pages, same filters and scope), read as plain values so a
# long list is not held as model instances.


def six_month_follow_ups_export(scope: UserScope, *, today: date) -> QuerySet[Any]:
    """The rows of ``six_month_follow_ups_due`` as values, in the page's order."""
    return six_month_follow_ups_due(scope, today=today).values(
        "participant__last_name",
        "participant__first_name",
        "participant__facilitator__name",
        "exit_date",
        "situation",
        "placement__contract__reference",
    )


def criteria_to_check_export(scope: UserScope) -> tuple[QuerySet[Any], dict[int, list[str]]]:
    """The rows of ``criteria_to_check`` as values, and the employers of their
    participants (two queries, whatever the length of the queue)."""
    criteria = criteria_to_check(scope)
    employers: dict[int, list[str]] = {}
    names = (
        Placement.objects.filter(participant_id__in=criteria.values("participant_id"))
        .order_by("employer__name")
        .values_list("participant_id", "employer__name")
        .distinct()
    )
    for participant_id, name in names:
        employers.setdefault(participant_id, []).append(name)
    rows = criteria.values(
        "participant_id",
        "participant__last_name",
        "participant__first_name",
        "participant__facilitator__name",
        "criterion__label",
        "evidence",
        "evidence_file",
        "checked_by__first_name",
        "checked_by__last_name",
        "checked_by__email",
        "checked_on",
    )
    return rows, employers


def company_contract_export(scope: UserScope, *, search: str = "") -> QuerySet[Contract]:
    """The company's contracts with their hours, as on its home page, without the
    clauses (an export lists figures, not the formulas)."""
    return company_contract_list(scope, search=search).prefetch_related(None)


# --- Validated hours: the rows behind the hours figures of the indicators ------------


@dataclass(frozen=True)
class ValidatedHoursFilters:
    """What narrows the validated hours; the same meaning as the indicators' filters."""

    month: date | None = None  # one month (first day)
    first_month: date | None = None  # months from this one (first day)...
    last_month: date | None = None  # ...to this one, both included
    contract_id: int | None = None
    buyer_id: int | None = None
    execution_mode: str = ""
    criterion_code: str = ""  # a confirmed eligibility criterion of the participant
    structure_id: int | None = None  # the facilitator structure of the contract


def validated_hours(
    scope: UserScope, filters: ValidatedHoursFilters | None = None
) -> QuerySet[HoursEntry]:
    """Validated hours of the user's structures' participants, narrowed by ``filters``.

    The structure is the contract's facilitator, as on the indicators page, so that a
    figure there and the total of the list it links to count the same entries.
    """
    filters = filters or ValidatedHoursFilters()
    entries = hours_entries_visible_to(scope).filter(status=HoursStatus.VALIDATED)
    if filters.month is not None:
        entries = entries.filter(month=filters.month.replace(day=1))
    if filters.first_month is not None:
        entries = entries.filter(month__gte=filters.first_month.replace(day=1))
    if filters.last_month is not None:
        entries = entries.filter(month__lte=filters.last_month.replace(day=1))
    if filters.contract_id:
        entries = entries.filter(placement__contract_id=filters.contract_id)
    if filters.buyer_id:
        entries = entries.filter(placement__contract__buyer_id=filters.buyer_id)
    if filters.structure_id:
        entries = entries.filter(placement__contract__facilitator_id=filters.structure_id)
    if filters.execution_mode:
        entries = entries.filter(placement__execution_mode=filters.execution_mode)
    if filters.criterion_code:
        # Exists, not a join: a person counts once per entry whatever their criteria.
        entries = entries.filter(
            Exists(
                ParticipantCriterion.objects.filter(
                    participant_id=OuterRef("placement__participant_id"),
                    status=CriterionStatus.CONFIRMED,
                    criterion__code=filters.criterion_code,
                )
            )
        )
    return entries.select_related(
        "placement__participant",
        "placement__contract",
        "placement__employer",
        "reviewed_by",
    ).order_by(
        "-month", "placement__contract__reference", "placement__participant__last_name", "pk"
    )


@dataclass(frozen=True)
class ValidatedHoursTotals:
    entries: int
    hours: Decimal
    people: int


def validated_hours_totals(entries: QuerySet[HoursEntry]) -> ValidatedHoursTotals:
    """One aggregate query: insertion hours, entries and distinct people of ``entries``."""
    totals = entries.order_by().aggregate(
        entries=Count("pk"),
        hours=Coalesce(Sum("total_hours"), Value(Decimal(0))),
        people=Count("placement__participant_id", distinct=True),
    )
    return ValidatedHoursTotals(
        entries=totals["entries"], hours=Decimal(totals["hours"]), people=totals["people"]
    )


def validated_hours_filter_choices(scope: UserScope) -> dict[str, QuerySet[Any]]:
    """The choices of the list's filters (the form's keyword arguments): the contracts of
    the user's placements, their buyers and structures, and every criterion (a reference
    list: a criterion no longer accepted by the network may still be held by someone)."""
    contracts = Contract.objects.filter(
        pk__in=placements_visible_to(scope).values("contract_id")
    ).order_by("reference", "pk")
    return {
        "contracts": contracts,
        "buyers": Organisation.objects.filter(pk__in=contracts.values("buyer_id")).order_by("name"),
        "structures": Organisation.objects.filter(
            pk__in=contracts.values("facilitator_id")
        ).order_by("name"),
        "criteria": EligibilityCriterion.objects.order_by("position", "label"),
    }
