"""The facts of a participant's pathway, read in three queries whatever its length:
placements, months of hours, outcomes. Referrals come from ``matching``, which the
view asks, since ``inclusion`` never reads the apps above it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.urls import reverse

from tremplin.inclusion import selectors
from tremplin.inclusion.enums import (
    OUTCOME_CATEGORIES,
    ExecutionMode,
    HoursStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import Participant
from tremplin.inclusion.pathway import (
    HoursFact,
    OutcomeFact,
    Pathway,
    PlacementFact,
    ReferralFact,
    build_pathway,
)
from tremplin.organisations.access import UserScope


def placement_facts(scope: UserScope, participant: Participant) -> list[PlacementFact]:
    placements = (
        selectors.placements_visible_to(scope)
        .filter(participant=participant)
        .select_related("contract", "employer", "job")
        .order_by("start_date", "pk")
    )
    return [
        PlacementFact(
            key=placement.pk,
            start=placement.start_date,
            end=placement.end_date,
            contract_reference=placement.contract.reference,
            employer=placement.employer.name,
            job=placement.job.title,
            mode_label=placement.get_execution_mode_display(),
            is_training=placement.execution_mode == ExecutionMode.TRAINING,
            url=reverse("inclusion:placement_detail", args=[placement.pk]),
            contract_url=reverse("procurement:contract_detail", args=[placement.contract_id]),
        )
        for placement in placements
    ]


def hours_facts(scope: UserScope, participant: Participant) -> list[HoursFact]:
    """The participant's months of hours, declared or validated: rejected hours count
    nowhere, so they are no part of the pathway either."""
    rows = (
        selectors.hours_entries_visible_to(scope)
        .filter(placement__participant=participant)
        .exclude(status=HoursStatus.REJECTED)
        .order_by("month", "placement_id")
        .values_list("placement_id", "month", "hours_worked", "training_hours", "status")
    )
    return [
        HoursFact(
            placement_key=placement_id,
            month=month,
            worked=worked,
            training=training,
            validated=status == HoursStatus.VALIDATED,
        )
        for placement_id, month, worked, training, status in rows
    ]


def outcome_facts(scope: UserScope, participant: Participant) -> list[OutcomeFact]:
    rows = (
        selectors.outcomes_visible_to(scope)
        .filter(participant=participant)
        .order_by("exit_date", "moment", "pk")
        .values_list("moment", "exit_date", "observed_on", "situation", "employer_name")
    )
    page = reverse("inclusion:participant_detail", args=[participant.pk])
    record = reverse("inclusion:outcome_create", args=[participant.pk])
    return [
        OutcomeFact(
            at_six_months=moment == OutcomeMoment.SIX_MONTHS,
            exit_date=exit_date,
            observed_on=observed_on,
            situation=OutcomeSituation(situation).label,
            category=OUTCOME_CATEGORIES.get(situation, "other"),
            employer=employer,
            url=f"{page}#sorties",
            follow_up_url=f"{record}?moment=six_months&sortie={exit_date:%Y-%m-%d}",
        )
        for moment, exit_date, observed_on, situation, employer in rows
    ]


def participant_pathway(
    scope: UserScope,
    participant: Participant,
    *,
    referrals: Sequence[ReferralFact] = (),
    today: date,
) -> Pathway:
    """The pathway of a participant the user sees (nothing of one they do not see)."""
    return build_pathway(
        placements=placement_facts(scope, participant),
        hours=hours_facts(scope, participant),
        outcomes=outcome_facts(scope, participant),
        referrals=referrals,
        today=today,
    )
