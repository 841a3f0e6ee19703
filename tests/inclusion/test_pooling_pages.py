"""Pooled hours, the pages: the pool explains each share, each buyer's contract shows its
part, and no one outside the structure that follows the person sees a pool."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CompanyFactory, ParticipantFactory, any_job
from tests.inclusion.conftest import client_of, months_ago, open_contract, page_text
from tests.inclusion.test_pooling_services import Pooled, create_pool
from tremplin.core.hours import max_hours_in_month
from tremplin.inclusion import pool_services
from tremplin.inclusion.models import HoursEntry, HoursPool, PooledMonth


@pytest.fixture
def pooled(structure, network) -> Pooled:  # type: ignore[no-untyped-def]
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


def pool_url(pool: HoursPool, name: str = "pool_detail") -> str:
    return reverse(f"inclusion:{name}", args=[pool.pk])


def test_the_pool_page_explains_each_share_and_each_month(structure, pooled):
    text = page_text(structure.client.get(pool_url(pooled.pool)))

    assert "Fatima MADI chez Lagon BTP" in text
    assert "6 946 h ÷ 18 280 h = 38,0 %" in text
    assert "11 334 h ÷ 18 280 h = 62,0 %" in text
    assert "réparties au prorata des obligations d'heures des marchés" in text
    assert "151,67 Validées 57,63 94,04" in text
    assert pooled.mairie.buyer.name in text
    assert pooled.bailleur.buyer.name in text
    assert "Total 151,67" in text


def test_each_buyer_sees_its_part_on_its_contract(structure, pooled):
    for contract, part in ((pooled.mairie, "57,63"), (pooled.bailleur, "94,04")):
        buyer = client_of(contract.buyer)
        text = page_text(buyer.get(reverse("procurement:contract_detail", args=[contract.pk])))
        assert f"Heures validées {part} h" in text
        assert "Fatima" not in text  # names are for the structure that follows the person


def test_the_facilitator_sees_the_badge_and_the_share_on_each_contract(structure, pooled):
    response = structure.client.get(reverse("procurement:contract_detail", args=[pooled.mairie.pk]))
    html = response.content.decode()
    text = page_text(response)

    assert "Mutualisé : 38,0 %" in text
    assert pool_url(pooled.pool) in html
    titles = [unescape(title) for title in re.findall(r'title="([^"]*)"', html)]
    assert (
        "38,0\u00a0% des heures de l'emploi de Fatima M. chez Lagon BTP, réparties au "
        "prorata des obligations d'heures des marchés"
    ) in titles
    assert "57,63 h" in text


def test_another_structure_a_buyer_and_a_company_get_not_found(
    other_structure, pooled, buyer_client, company_client
):
    pooled_month = PooledMonth.objects.get(pool=pooled.pool)
    for client in (other_structure.client, buyer_client, company_client):
        assert client.get(pool_url(pooled.pool)).status_code == 404
        assert client.get(pool_url(pooled.pool, "pool_rule")).status_code == 404
        assert (
            client.post(
                pool_url(pooled.pool, "pooled_month_record"),
                {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "10"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("inclusion:pooled_month_remove", args=[pooled_month.pk])
            ).status_code
            == 404
        )
    assert PooledMonth.objects.filter(pool=pooled.pool).count() == 1
    assert other_structure.client.get(reverse("inclusion:pool_list")).status_code == 200
    assert "Fatima" not in page_text(other_structure.client.get(reverse("inclusion:pool_list")))


def test_a_month_typed_on_the_pool_page_is_split(structure, pooled):
    month = months_ago(1)
    response = structure.client.post(
        pool_url(pooled.pool, "pooled_month_record"),
        {"month": month.strftime("%Y-%m"), "hours_worked": "100", "training_hours": "0"},
        follow=True,
    )
    text = page_text(response)
    assert "100 heures en" in text
    assert "réparties entre les marchés" in text
    assert "100 Déclarées 38 62" in text
    assert HoursEntry.objects.filter(placement__pool=pooled.pool, month=month).count() == 2


def test_a_month_over_the_ceiling_is_refused_in_french(structure, pooled):
    month = months_ago(1)
    too_many = max_hours_in_month(month.year, month.month) + 1
    response = structure.client.post(
        pool_url(pooled.pool, "pooled_month_record"),
        {"month": month.strftime("%Y-%m"), "hours_worked": str(too_many).replace(".", ",")},
    )
    assert response.status_code == 200
    assert "48 h par semaine au plus" in page_text(response)
    assert not PooledMonth.objects.filter(pool=pooled.pool, month=month).exists()


def test_validating_a_pooled_month_validates_every_part(structure, pooled):
    month = months_ago(1)
    pooled_month = pool_services.pooled_month_record(
        actor=structure.user, pool=pooled.pool, month=month, hours_worked=Decimal(50)
    )
    structure.client.post(reverse("inclusion:pooled_month_validate", args=[pooled_month.pk]))
    assert set(
        HoursEntry.objects.filter(pooled_month=pooled_month).values_list("status", flat=True)
    ) == {"validated"}


def test_a_pooled_part_cannot_be_changed_from_its_placement_page(structure, pooled):
    placement = pooled.pool.placements.get(contract=pooled.mairie)
    url = reverse("inclusion:placement_detail", args=[placement.pk])
    page = structure.client.get(url)
    text = page_text(page)
    assert "Heures mutualisées : ce marché reçoit 38,0 % des heures" in text
    assert reverse("inclusion:hours_record", args=[placement.pk]) not in page.content.decode()

    before = list(HoursEntry.objects.order_by("pk").values())
    response = structure.client.post(
        reverse("inclusion:hours_record", args=[placement.pk]),
        {"month": months_ago(2).strftime("%Y-%m"), "hours_worked": "10", "training_hours": "0"},
    )
    assert "mutualisées entre plusieurs marchés" in page_text(response)
    assert list(HoursEntry.objects.order_by("pk").values()) == before

    entry = HoursEntry.objects.filter(placement=placement).first()
    HoursEntry.objects.filter(pk=entry.pk).update(status="declared")
    response = structure.client.post(
        reverse("inclusion:hours_validate", args=[entry.pk]), follow=True
    )
    assert "page de la mutualisation" in page_text(response)
    assert HoursEntry.objects.get(pk=entry.pk).status == "declared"


def test_the_rule_page_splits_every_month_again(structure, pooled):
    response = structure.client.post(
        pool_url(pooled.pool, "pool_rule"),
        {
            "rule": "manual",
            f"part_{pooled.mairie.pk}": "25",
            f"part_{pooled.bailleur.pk}": "75",
        },
        follow=True,
    )
    text = page_text(response)
    assert "part fixée à 25,0 %" in text
    parts = dict(
        HoursEntry.objects.filter(placement__pool=pooled.pool).values_list(
            "placement__contract_id", "total_hours"
        )
    )
    assert parts == {pooled.mairie.pk: Decimal("37.92"), pooled.bailleur.pk: Decimal("113.75")}

    refused = structure.client.post(
        pool_url(pooled.pool, "pool_rule"),
        {"rule": "manual", f"part_{pooled.mairie.pk}": "25", f"part_{pooled.bailleur.pk}": "70"},
    )
    assert "totalisent 95 % : elles doivent totaliser exactement 100 %" in page_text(refused)


def test_a_pool_is_created_from_the_participant_page(structure, network, pooled):
    participant = ParticipantFactory(
        facilitator=structure.organisation, first_name="Ali", last_name="Soilihi"
    )
    page = structure.client.get(reverse("inclusion:participant_detail", args=[participant.pk]))
    create_url = f"{reverse('inclusion:pool_create')}?participant={participant.pk}"
    assert create_url in page.content.decode()
    assert "Mutualiser les heures" in page_text(page)

    form = structure.client.get(create_url)
    assert f'<option value="{participant.pk}" selected>' in form.content.decode()

    preview = structure.client.post(
        reverse("inclusion:pool_preview"),
        {
            "employer": pooled.company.pk,
            "contracts": [pooled.mairie.pk, pooled.bailleur.pk],
            "rule": "obligation",
        },
    )
    assert "6 946 h ÷ 18 280 h = 38,0 %" in page_text(preview)

    start = months_ago(3)
    end = timezone.localdate() + datetime.timedelta(days=90)
    response = structure.client.post(
        create_url,
        {
            "participant": participant.pk,
            "employer": pooled.company.pk,
            "contracts": [pooled.mairie.pk, pooled.bailleur.pk],
            "rule": "equal",
            "execution_mode": "direct_cdd",
            "job": any_job().pk,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        },
    )
    pool = HoursPool.objects.get(participant=participant)
    assert response.status_code == 302
    assert response["Location"] == pool_url(pool)
    assert sorted(pool.placements.values_list("pool_share", flat=True)) == [
        Decimal("0.5"),
        Decimal("0.5"),
    ]


def test_the_form_refuses_another_structures_contract(structure, other_structure, pooled):
    theirs = open_contract(other_structure.organisation, awarded_company=pooled.company)
    participant = ParticipantFactory(facilitator=structure.organisation)
    response = structure.client.post(
        reverse("inclusion:pool_create"),
        {
            "participant": participant.pk,
            "employer": pooled.company.pk,
            "contracts": [pooled.mairie.pk, theirs.pk],
            "rule": "obligation",
            "execution_mode": "direct_cdd",
            "job": any_job().pk,
            "start_date": months_ago(3).isoformat(),
            "end_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert not HoursPool.objects.filter(participant=participant).exists()


def test_the_list_of_pools_takes_few_queries(
    structure, network, pooled, django_assert_max_num_queries
):
    company = CompanyFactory(network=network)
    contracts = [
        open_contract(structure.organisation, awarded_company=company, hours=h) for h in (100, 300)
    ]
    for _ in range(3):
        create_pool(
            structure, company, contracts, ParticipantFactory(facilitator=structure.organisation)
        )
    with django_assert_max_num_queries(8):
        response = structure.client.get(reverse("inclusion:pool_list"))
    assert page_text(response).count("Lagon BTP") == 1
    assert "151,67 h" in page_text(response)


def test_the_participant_page_marks_each_pooled_placement(structure, pooled):
    response = structure.client.get(
        reverse("inclusion:participant_detail", args=[pooled.participant.pk])
    )
    text = page_text(response)
    assert "Mutualisé : 38,0 %" in text
    assert "Mutualisé : 62,0 %" in text
    assert pool_url(pooled.pool) in response.content.decode()


def test_the_participants_list_leads_to_the_pools(structure, pooled):
    html = structure.client.get(reverse("inclusion:participant_list")).content.decode()
    assert reverse("inclusion:pool_list") in html


def test_the_contract_page_leads_to_its_hiring_needs(structure, pooled):
    url = reverse("procurement:contract_detail", args=[pooled.mairie.pk])
    needs = f"{reverse('matching:need_list')}?marche={pooled.mairie.pk}"
    assert needs in structure.client.get(url).content.decode()
    # A buyer has no recruitment pages: no link leads there.
    assert needs not in client_of(pooled.mairie.buyer).get(url).content.decode()
