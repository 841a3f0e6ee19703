"""The prescriber's home: the offers of its area, where its candidates stand, and what is new."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from tremplin.matching.enums import ReferralStatusChoice
from tremplin.matching.selectors import area_offers, prescribers_of_user, referrals_visible_to
from tremplin.notifications.models import Notification
from tremplin.notifications.selectors import notifications_for
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import User

LATEST_NOTIFICATIONS = 5


@dataclass(frozen=True)
class StageCount:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class PrescriberDashboard:
    organisation_names: str
    offers: int
    open_positions: int
    referrals: int
    stages: list[StageCount]
    latest: list[Notification]


def prescriber_dashboard(scope: UserScope, user: User) -> PrescriberDashboard:
    """Counts of the prescriber's own referrals only: another prescriber's stay unseen."""
    offers = list(area_offers(scope))
    own = referrals_visible_to(scope).filter(prescriber_id__in=scope.prescriber_ids)
    by_stage = dict(own.order_by().values_list("status").annotate(count=Count("pk")))
    referral_list = reverse("matching:referral_list")
    return PrescriberDashboard(
        organisation_names=", ".join(
            organisation.name for organisation in prescribers_of_user(scope)
        ),
        offers=len(offers),
        open_positions=sum(need.positions - need.count_hired for need in offers),
        referrals=sum(by_stage.values()),
        stages=[
            StageCount(label, by_stage.get(value, 0), f"{referral_list}?etape={value}")
            for value, label in ReferralStatusChoice.choices
        ],
        latest=list(notifications_for(user)[:LATEST_NOTIFICATIONS]),
    )
