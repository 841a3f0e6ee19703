"""The referrals that led a participant to their hires, for the pathway on the
participant's page: the facilitator following the person sees all of them, whatever
the prescriber who made them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from tremplin.inclusion.models import Participant
from tremplin.inclusion.pathway import ReferralFact
from tremplin.matching.enums import ReferralStatusChoice
from tremplin.matching.models import Referral
from tremplin.organisations.access import UserScope


def referrals_of_participant(scope: UserScope, participant: Participant) -> list[ReferralFact]:
    """The participant's referrals, the oldest first (one query), dated in the network's
    time zone (the participant is read with its facilitator's network)."""
    referrals = (
        Referral.objects.filter(
            participant=participant,
            participant__facilitator_id__in=scope.facilitator_ids,
        )
        .select_related("need__job", "need__employer", "need__contract", "prescriber")
        .order_by("created_at", "pk")
    )
    zone = ZoneInfo(participant.facilitator.network.time_zone)
    return [
        ReferralFact(
            referred_on=timezone.localtime(referral.created_at, zone).date(),
            stage=referral.status,
            stage_label=ReferralStatusChoice(referral.status).label,
            stage_changed_on=timezone.localtime(referral.status_changed_at, zone).date(),
            job=referral.need.job.title,
            employer=referral.need.employer.name,
            contract_reference=referral.need.contract.reference,
            prescriber=referral.prescriber.name,
            url=reverse("matching:need_detail", args=[referral.need_id]),
        )
        for referral in referrals
    ]
