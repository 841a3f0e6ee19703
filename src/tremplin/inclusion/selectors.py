"""Scoped reads of personal data. Every query of participants, placements and hours
starts here, from the user's scope: a structure never sees another's participants."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tremplin.core.models import RomeJobTitle
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    InclusionEvent,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.organisations.selectors import employers_for_placements, organisations_visible_to
from tremplin.procurement.models import Contract, Lot
from tremplin.procurement.selectors import contracts_visible_to


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
        .prefetch_related("criteria__criterion", "criteria__checked_by")
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
        .select_related("participant", "lot", "employer", "job")
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
    return (
        InclusionEvent.objects.filter(
            participant=participant, participant__facilitator_id__in=scope.facilitator_ids
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def criteria_accepted_by(network: Network) -> QuerySet[EligibilityCriterion]:
    return EligibilityCriterion.objects.filter(networks=network).order_by("position")


# Pages of the inclusion app ------------------------------------------------------------


def participant_rows(scope: UserScope, *, search: str = "") -> QuerySet[Participant]:
    """The participants list: ``participant_list`` with each one's criteria prefetched."""
    words = search.split()
    participants = participant_list(scope)
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
