"""A validated pooled month is never changed by new hours: the facilitator structure that
follows the person reopens it first, with its reason, and the month and its part on every
contract go back to review together."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import CompanyFactory, ParticipantFactory, member_of
from tests.inclusion.conftest import client_of, fingerprint, months_ago, open_contract, page_text
from tests.inclusion.test_pooling_services import Pooled, create_pool
from tremplin.inclusion import pool_services
from tremplin.inclusion.enums import EventAction, HoursStatus
from tremplin.inclusion.models import HoursEntry, InclusionEvent, PooledMonth


@pytest.fixture
def validated(structure, network) -> Pooled:  # type: ignore[no-untyped-def]
    """Fatima's job counts for a town (6 946 h owed) and a social landlord (11 334 h); her
    month of two months ago, 151,67 h, is validated."""
    company = CompanyFactory(network=network, name="Lagon BTP")
    mairie = open_contract(structure.organisation, awarded_company=company, hours=6946)
    bailleur = open_contract(structure.organisation, awarded_company=company, hours=11334)
    participant = ParticipantFactory(
        facilitator=structure.organisation, first_name="Fatima", last_name="Madi"
    )
    pool = create_pool(structure, company, [mairie, bailleur], participant)
    pool_services.pooled_month_record(
        actor=structure.user,
        pool=pool,
        month=months_ago(2),
        hours_worked=Decimal("151.67"),
        validate=True,
    )
    return Pooled(pool, participant, company, mairie, bailleur)


def stored() -> tuple[object, ...]:
    return (fingerprint(), list(PooledMonth.objects.order_by("pk").values()))


def statuses(pooled_month: PooledMonth) -> set[str]:
    return {
        pooled_month.status,
        *HoursEntry.objects.filter(pooled_month=pooled_month).values_list("status", flat=True),
    }


def record_url(validated: Pooled) -> str:
    return reverse("inclusion:pooled_month_record", args=[validated.pool.pk])


def reopen_url(pooled_month: PooledMonth) -> str:
    return reverse("inclusion:pooled_month_reopen", args=[pooled_month.pk])


def test_new_hours_on_a_validated_pooled_month_are_refused_on_the_page(structure, validated):
    month = months_ago(2).strftime("%Y-%m")
    before = stored()

    refused = structure.client.post(
        record_url(validated), {"month": month, "hours_worked": "160", "training_hours": "0"}
    )

    assert refused.status_code == 200
    text = page_text(refused)
    assert "Le mois" in text
    assert "de Fatima MADI est déjà validé" in text
    assert "rouvrez-le d'abord (bouton « Rouvrir » de la mutualisation)" in text
    assert stored() == before

    # The same hours again (validated or not) change nothing.
    for validate in ({}, {"validate": "on"}):
        structure.client.post(
            record_url(validated),
            {"month": month, "hours_worked": "151,67", "training_hours": "0", **validate},
        )
        assert stored() == before


def test_reopening_sends_the_month_and_every_part_to_review_then_a_change_is_split_again(
    structure, validated
):
    pooled_month = PooledMonth.objects.get(pool=validated.pool)
    page = page_text(
        structure.client.get(reverse("inclusion:pool_detail", args=[validated.pool.pk]))
    )
    assert "Pourquoi rouvrir ce mois validé ?" in page

    response = structure.client.post(
        reopen_url(pooled_month), {"reason": "Heures de nuit oubliées"}, follow=True
    )
    assert (
        "est rouvert sur chacun des marchés : corrigez ses heures, puis validez-les."
        in page_text(response)
    )
    pooled_month.refresh_from_db()
    assert statuses(pooled_month) == {HoursStatus.DECLARED}
    # Reopening changes no hour: 151,67 h = 57,63 h + 94,04 h still.
    assert sorted(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list("total_hours", flat=True)
    ) == [Decimal("57.63"), Decimal("94.04")]

    structure.client.post(
        record_url(validated),
        {"month": months_ago(2).strftime("%Y-%m"), "hours_worked": "100", "training_hours": "0"},
    )
    # 6 946 / (6 946 + 11 334) = 38 % of 100 h for the town, the rest for the landlord.
    parts = dict(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list(
            "placement__contract_id", "total_hours"
        )
    )
    assert parts == {validated.mairie.pk: Decimal("38.00"), validated.bailleur.pk: Decimal("62.00")}
    pooled_month.refresh_from_db()
    assert statuses(pooled_month) == {HoursStatus.DECLARED}


def test_the_history_keeps_who_reopened_the_pooled_month_when_and_why(structure, validated):
    pooled_month = PooledMonth.objects.get(pool=validated.pool)
    events_before = InclusionEvent.objects.count()

    structure.client.post(reopen_url(pooled_month), {"reason": "Heures de nuit oubliées"})

    (event,) = InclusionEvent.objects.filter(pk__gt=0).order_by("pk")[events_before:]
    assert event.actor == structure.user
    assert event.object_type == "pooledmonth"
    assert event.object_id == pooled_month.pk
    assert event.before["status"] == HoursStatus.VALIDATED
    assert event.after["status"] == HoursStatus.DECLARED
    assert event.after["reason"] == "Heures de nuit oubliées"
    assert event.occurred_at is not None
    history = page_text(
        structure.client.get(
            reverse("inclusion:participant_detail", args=[validated.participant.pk])
        )
    )
    assert "Mois d'heures mutualisées rouvert" in history
    assert "Heures de nuit oubliées" in history


def test_no_one_else_reopens_a_pooled_month(
    structure, other_structure, validated, buyer_client, company_client
):
    pooled_month = PooledMonth.objects.get(pool=validated.pool)
    company = client_of(validated.company)
    for client in (other_structure.client, buyer_client, company_client, company):
        response = client.post(reopen_url(pooled_month), {"reason": "Erreur"})
        assert response.status_code == 404
    assert statuses(pooled_month) == {HoursStatus.VALIDATED}

    for actor in (other_structure.user, member_of(validated.company)):
        with pytest.raises(ValidationError, match="Seule la structure de facilitation"):
            pool_services.pooled_month_reopen(actor=actor, pooled=pooled_month, reason="Erreur")
    assert statuses(pooled_month) == {HoursStatus.VALIDATED}


def test_a_reason_is_required_and_only_a_validated_month_is_reopened(structure, validated):
    pooled_month = PooledMonth.objects.get(pool=validated.pool)
    before = stored()

    response = structure.client.post(reopen_url(pooled_month), {"reason": "  "}, follow=True)

    assert "Indiquez pourquoi vous rouvrez ce mois." in page_text(response)
    with pytest.raises(ValidationError, match="Indiquez pourquoi vous rouvrez ce mois"):
        pool_services.pooled_month_reopen(actor=structure.user, pooled=pooled_month, reason=" ")
    assert stored() == before

    pool_services.pooled_month_reopen(actor=structure.user, pooled=pooled_month, reason="Erreur")
    again = structure.client.post(reopen_url(pooled_month), {"reason": "Erreur"}, follow=True)
    assert "n'est pas validé : il se corrige sans être rouvert." in page_text(again)
    assert InclusionEvent.objects.filter(action=EventAction.POOLED_MONTH_REOPENED).count() == 1


def test_a_validated_pooled_month_is_not_removed_without_being_reopened(structure, validated):
    pooled_month = PooledMonth.objects.get(pool=validated.pool)
    before = stored()
    remove_url = reverse("inclusion:pooled_month_remove", args=[pooled_month.pk])

    pool_page = reverse("inclusion:pool_detail", args=[validated.pool.pk])
    page = page_text(structure.client.get(pool_page))
    response = structure.client.post(remove_url, follow=True)

    assert "Retirer" not in page  # only « Rouvrir » is offered on a validated month
    assert "est validé : il ne se retire pas. Rouvrez-le d'abord" in page_text(response)
    assert stored() == before
    with pytest.raises(ValidationError, match="il ne se retire pas"):
        pool_services.pooled_month_remove(actor=structure.user, pooled=pooled_month)

    pool_services.pooled_month_reopen(
        actor=structure.user, pooled=pooled_month, reason="Mois saisi sur la mauvaise personne"
    )
    pool_services.pooled_month_remove(actor=structure.user, pooled=pooled_month)
    assert not PooledMonth.objects.filter(pk=pooled_month.pk).exists()
    assert not HoursEntry.objects.filter(pooled_month=pooled_month).exists()
