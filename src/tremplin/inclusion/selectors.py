"""Scoped reads of personal data. Every query of participants, placements and hours
starts here, from the user's scope: a structure never sees another's participants."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    InclusionEvent,
    Participant,
    Placement,
)
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network


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
