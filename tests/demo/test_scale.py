"""The scale-factor generator: territories of the right shape, the same for the same seed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, F, Max, Sum
from django.test import Client

from tremplin.core.postal_codes import postal_code_problem
from tremplin.demo.scale import SCALES, generate
from tremplin.inclusion.models import HoursEntry, Outcome, Participant, Placement
from tremplin.organisations.models import Network, Organisation, User
from tremplin.procurement.models import Clause, Contract

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.django_db


def _fingerprint(network: Network) -> tuple[object, ...]:
    contracts = Contract.objects.filter(facilitator__network=network)
    hours = HoursEntry.objects.filter(placement__contract__in=contracts)
    by_status = dict(
        hours.order_by()
        .values_list("status")
        .annotate(total=Sum("total_hours"))
        .values_list("status", "total")
    )
    return (
        contracts.count(),
        contracts.aggregate(total=Sum("hours_required"))["total"],
        Participant.objects.filter(facilitator__network=network).count(),
        by_status,
    )


def test_mini_scale_writes_territories_of_the_right_shape():
    result = generate("mini", seed=7, today=TODAY)
    scale = SCALES["mini"]

    # Organisations are written straight to the database: their postal codes must be real.
    codes = set(Organisation.objects.values_list("postal_code", flat=True))
    assert codes
    assert [code for code in codes if postal_code_problem(code)] == []

    assert Network.objects.filter(slug__startswith="echelle-").count() == scale.networks
    assert Contract.objects.count() == scale.contracts
    assert Participant.objects.count() == scale.participants
    # Nine contracts in ten carry a clause, whose obligation is the contract's.
    with_clause = Contract.objects.filter(hours_required__gt=0)
    assert Clause.objects.count() == with_clause.count() > 0
    assert not with_clause.exclude(clauses__hours_required=F("hours_required")).exists()
    # One entry per placement and month, none after last month; the last two await review.
    assert HoursEntry.objects.aggregate(last=Max("month"))["last"] == date(2026, 10, 1)
    assert not (
        HoursEntry.objects.values("placement", "month").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert set(
        HoursEntry.objects.filter(month__gte=date(2026, 9, 1)).values_list("status", flat=True)
    ) == {"declared"}
    assert HoursEntry.objects.filter(status="validated").count() > 0
    # Placements are on contracts of the participant's own structure.
    assert not Placement.objects.exclude(
        contract__facilitator=F("participant__facilitator")
    ).exists()
    assert Outcome.objects.filter(moment="exit").exists()
    assert result.rows["inclusion.HoursEntry"] == HoursEntry.objects.count()


def test_same_seed_gives_the_same_figures():
    generate("mini", seed=11, today=TODAY)
    generate("mini", seed=11, today=TODAY)
    networks = list(Network.objects.filter(slug__startswith="echelle-").order_by("slug"))

    assert len(networks) == 4
    assert _fingerprint(networks[0]) == _fingerprint(networks[2])
    assert _fingerprint(networks[1]) == _fingerprint(networks[3])
    assert _fingerprint(networks[0]) != _fingerprint(networks[1])


def test_the_generated_facilitator_sees_the_figures_on_the_home_page():
    result = generate("mini", seed=7, today=TODAY)
    client = Client()
    client.force_login(User.objects.get(email=result.logins.facilitator_email))

    response = client.get("/")

    assert response.status_code == 200
    figures = response.context["figures"]
    structure = result.logins.structure_id
    assert figures.participants == Participant.objects.filter(facilitator_id=structure).count()
    validated = HoursEntry.objects.filter(
        status="validated", placement__contract__facilitator_id=structure
    ).aggregate(total=Sum("total_hours"))["total"]
    assert figures.hours_validated == validated > Decimal(0)
    assert figures.hours_declared > 0  # the months awaiting review
