"""A validated month is never changed by a declaration: the facilitator structure reopens it
first, with its reason, and the history keeps who, when and why."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.urls import reverse

from tests.factories import ParticipantFactory, PlacementFactory
from tests.inclusion.conftest import fingerprint, open_contract, page_text
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import HoursEntry


def test_the_facilitator_reopens_a_validated_month_with_its_reason_then_corrects_it(
    structure, followed
):
    entry = followed.entry
    HoursEntry.objects.filter(pk=entry.pk).update(status=HoursStatus.VALIDATED)
    page_url = reverse("inclusion:placement_detail", args=[followed.placement.pk])
    record_url = reverse("inclusion:hours_record", args=[followed.placement.pk])
    month = entry.month.strftime("%Y-%m")

    before = fingerprint()
    refused = structure.client.post(record_url, {"month": month, "hours_worked": "90"})
    assert refused.status_code == 200
    assert "est déjà validé" in page_text(refused)
    assert "rouvrez-le d'abord" in page_text(refused)
    assert fingerprint() == before
    assert "Rouvrir" in page_text(structure.client.get(page_url))

    reopen_url = reverse("inclusion:hours_reopen", args=[entry.pk])
    structure.client.post(reopen_url, {"reason": ""})
    assert HoursEntry.objects.get(pk=entry.pk).status == HoursStatus.VALIDATED
    response = structure.client.post(reopen_url, {"reason": "Heures de nuit oubliées"}, follow=True)
    assert "est rouvert : corrigez ses heures, puis validez-les." in page_text(response)
    assert HoursEntry.objects.get(pk=entry.pk).status == HoursStatus.DECLARED

    structure.client.post(record_url, {"month": month, "hours_worked": "90"})
    assert HoursEntry.objects.get(pk=entry.pk).hours_worked == Decimal(90)
    history = page_text(
        structure.client.get(
            reverse("inclusion:participant_detail", args=[followed.participant.pk])
        )
    )
    assert "Mois validé rouvert" in history
    assert "Heures de nuit oubliées" in history


def test_the_current_month_is_refused_until_it_is_over_where_the_network_is(structure):
    network = structure.organisation.network
    network.time_zone = "Indian/Mayotte"
    network.save()
    # 30 April 2026 at 22:30 in Paris, already 1 May at 00:30 in Mayotte.
    with time_machine.travel(datetime.datetime(2026, 4, 30, 21, 30, tzinfo=datetime.UTC)):
        placement = PlacementFactory(
            participant=ParticipantFactory(facilitator=structure.organisation),
            contract=open_contract(structure.organisation),
            start_date=datetime.date(2026, 1, 5),
            end_date=None,
        )
        url = reverse("inclusion:hours_record", args=[placement.pk])
        refused = structure.client.post(url, {"month": "2026-05", "hours_worked": "10"})
        assert (
            "Le mois de mai 2026 n'est pas terminé : ses heures se déclarent à partir du "
            "01/06/2026." in page_text(refused)
        )
        structure.client.post(url, {"month": "2026-04", "hours_worked": "10"})
        assert HoursEntry.objects.get(placement=placement).month == datetime.date(2026, 4, 1)
