"""The list of referrals narrowed to a period: the rows behind a dashboard's figure."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.factories import ReferralFactory
from tests.matching.conftest import Territory
from tremplin.matching.models import Referral

URL = reverse("matching:referral_list")


def test_the_referrals_of_a_period_only(territory: Territory) -> None:
    ReferralFactory(need=territory.need, prescriber=territory.prescriber, first_name="Récente")
    old = ReferralFactory(
        need=territory.need, prescriber=territory.prescriber, first_name="Ancienne"
    )
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Referral.objects.filter(pk=old.pk).update(created_at=long_ago, status_changed_at=long_ago)
    client = territory.client(territory.facilitator)
    since = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()

    text = client.get(URL, {"du": since}).content.decode()
    assert "Récente" in text
    assert "Ancienne" not in text
    assert "1 candidature" in text

    until = (timezone.localdate() - datetime.timedelta(days=366)).isoformat()
    text = client.get(URL, {"au": until}).content.decode()
    assert "Ancienne" in text
    assert "Récente" not in text


def test_a_malformed_day_is_ignored(territory: Territory) -> None:
    ReferralFactory(need=territory.need, prescriber=territory.prescriber, first_name="Récente")
    response = territory.client(territory.facilitator).get(URL, {"du": "31/02/2026"})
    assert response.status_code == 200
    assert "Récente" in response.content.decode()
