"""The recruitment pages per role: each sees what its role allows and nothing more."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    HiringNeedFactory,
    PrescriberFactory,
    ReferralFactory,
    any_job,
    member_of,
)
from tests.matching.conftest import logged_in
from tremplin.inclusion.models import EligibilityCriterion, Placement
from tremplin.matching import services
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _referral(territory, prescriber=None, **fields) -> Referral:  # type: ignore[no-untyped-def]
    data = {
        "need": territory.need,
        "prescriber": prescriber or territory.prescriber,
        "first_name": "Anli",
        "last_name": "Attoumani",
    }
    data.update(fields)
    return ReferralFactory(**data)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _pages(territory, referral: Referral) -> list[str]:  # type: ignore[no-untyped-def]
    need = territory.need
    return [
        reverse("matching:need_list"),
        reverse("matching:need_detail", args=[need.pk]),
        reverse("matching:referral_list"),
        reverse("matching:referral_list") + f"?besoin={need.pk}",
        reverse("matching:referral_detail", args=[referral.pk]),
    ]


# Who finds nothing ----------------------------------------------------------------------


def test_a_buyer_finds_no_page_of_the_app(territory):
    referral = _referral(territory)
    client = logged_in(territory.buyer_user)
    need = territory.need
    for url in [
        *_pages(territory, referral),
        reverse("matching:need_create"),
        reverse("matching:need_edit", args=[need.pk]),
        reverse("matching:referral_create", args=[need.pk]),
        reverse("matching:job_search") + "?q=maçon",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("matching:need_publish", args=[need.pk]),
        reverse("matching:referral_move", args=[referral.pk]),
    ]:
        assert client.post(url, {"target": "shortlisted"}).status_code == 404, url


def test_another_structure_gets_not_found_on_needs_it_does_not_follow(territory, other_structure):
    referral = _referral(territory)
    client = other_structure.client
    assert client.get(reverse("matching:need_detail", args=[territory.need.pk])).status_code == 404
    assert client.get(reverse("matching:referral_detail", args=[referral.pk])).status_code == 404
    response = client.post(
        reverse("matching:referral_move", args=[referral.pk]), {"target": "shortlisted"}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "referred"
    assert "Attoumani" not in _text(client.get(reverse("matching:referral_list")))
    assert territory.need.job.title not in _text(client.get(reverse("matching:need_list")))


def test_a_prescriber_outside_the_area_does_not_see_the_need(territory):
    client = logged_in(territory.far_prescriber_user)
    response = client.get(reverse("matching:need_list"))
    assert "Aucune offre publiée sur votre territoire" in _text(response)
    assert client.get(reverse("matching:need_detail", args=[territory.need.pk])).status_code == 404
    # A prescriber of another network neither, whatever its area.
    elsewhere = PrescriberFactory()
    response = logged_in(member_of(elsewhere)).get(reverse("matching:need_list"))
    assert territory.need.job.title not in _text(response)


def test_a_prescriber_sees_published_needs_only(territory):
    draft = HiringNeedFactory(
        contract=territory.contract, status="draft", published_at=None, place="Sada"
    )
    response = logged_in(territory.prescriber_user).get(reverse("matching:need_list"))
    assert "Offres de votre territoire" in _text(response)
    assert "Mamoudzou" in _text(response)
    assert "Sada" not in _text(response)
    client = logged_in(territory.prescriber_user)
    assert client.get(reverse("matching:need_detail", args=[draft.pk])).status_code == 404


# Prescribers see their own candidates only ---------------------------------------------


def test_a_prescriber_never_sees_another_prescribers_candidate(territory):
    mine = _referral(territory, first_name="Roukia", last_name="Madi")
    theirs = _referral(
        territory, prescriber=territory.other_prescriber, first_name="Echati", last_name="Soilihi"
    )
    client = logged_in(territory.prescriber_user)
    for url in _pages(territory, mine):
        text = _text(client.get(url))
        assert "Soilihi" not in text, url
        assert "Echati" not in text, url
    detail = _text(client.get(reverse("matching:need_detail", args=[territory.need.pk])))
    assert "Roukia MADI" in detail
    assert "1 autre candidature proposée par d'autres prescripteurs" in detail
    assert client.get(reverse("matching:referral_detail", args=[theirs.pk])).status_code == 404


def test_a_prescriber_follows_the_stage_and_the_reason(territory):
    referral = _referral(territory, status="not_retained", refusal_reason="Pas de permis B")
    response = logged_in(territory.prescriber_user).get(
        reverse("matching:referral_detail", args=[referral.pk])
    )
    text = _text(response)
    assert "Non retenu" in text
    assert "Pas de permis B" in text
    assert "ATTOUMANI" in text


def test_a_prescriber_refers_a_candidate_from_the_page(territory):
    client = logged_in(territory.prescriber_user)
    rsa = EligibilityCriterion.objects.get(code="rsa")
    response = client.post(
        reverse("matching:referral_create", args=[territory.need.pk]),
        {
            "prescriber": territory.prescriber.pk,
            "first_name": "Moussa",
            "last_name": "Ali",
            "birth_date": "1990-02-03",
            "sex": "M",
            "vouched_criteria": [rsa.pk],
            "motivation": "Sérieux.",
        },
        follow=True,
    )
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse("matching:referral_detail", args=[referral.pk])
    assert "La candidature de Moussa ALI est transmise au facilitateur." in _text(response)


def test_referring_to_a_need_no_longer_open_shows_the_reason(territory):
    _referral(territory)  # the prescriber keeps seeing the need it referred someone to
    territory.need.status = "closed"
    territory.need.save()
    response = logged_in(territory.prescriber_user).post(
        reverse("matching:referral_create", args=[territory.need.pk]),
        {
            "prescriber": territory.prescriber.pk,
            "first_name": "Moussa",
            "last_name": "Ali",
            "birth_date": "1990-02-03",
            "sex": "M",
        },
    )
    assert "Ce besoin n&#x27;est pas publié : il ne reçoit pas de candidatures." in _text(response)


# Companies see candidates once shortlisted ----------------------------------------------


def test_a_company_sees_a_candidate_only_once_shortlisted(territory):
    referral = _referral(territory)
    client = logged_in(territory.company_user)
    url = reverse("matching:need_detail", args=[territory.need.pk])
    text = _text(client.get(url))
    assert "Anli A." not in text
    assert "1 candidature en cours d'examen par le facilitateur" in text
    assert client.get(reverse("matching:referral_detail", args=[referral.pk])).status_code == 404

    services.referral_move(actor=territory.facilitator, referral=referral, target="shortlisted")
    text = _text(client.get(url))
    assert "Anli A." in text
    assert "Attoumani" not in text.replace("Anli A.", "")
    detail = _text(client.get(reverse("matching:referral_detail", args=[referral.pk])))
    assert "Anli A." in detail
    assert "Attoumani" not in detail
    assert "ATTOUMANI" not in detail
    assert "1995" not in detail  # no birth date, only the age


def test_a_company_moves_a_shortlisted_candidate_to_interview(territory):
    referral = _referral(territory, status="shortlisted")
    client = logged_in(territory.company_user)
    response = client.post(
        reverse("matching:referral_move", args=[referral.pk]),
        {"target": "interview"},
        follow=True,
    )
    assert "Candidature de Anli A. : en entretien." in _text(response)
    referral.refresh_from_db()
    assert referral.status == "interview"


# Coordinators see figures, never candidates ---------------------------------------------


def test_a_coordinator_sees_the_needs_and_counts_but_no_candidate(territory):
    referral = _referral(territory)
    client = logged_in(territory.coordinator)
    listing = _text(client.get(reverse("matching:need_list")))
    assert territory.need.job.title in listing
    detail = _text(client.get(reverse("matching:need_detail", args=[territory.need.pk])))
    assert "Attoumani" not in detail
    assert "Anli" not in detail
    assert client.get(reverse("matching:referral_detail", args=[referral.pk])).status_code == 404
    assert "Anli" not in _text(client.get(reverse("matching:referral_list")))


# The facilitator's pages ----------------------------------------------------------------


def test_the_facilitator_filters_needs_by_status_contract_and_job(territory, structure):
    other_contract = ContractFactory(facilitator=structure.organisation)
    HiringNeedFactory(contract=other_contract, status="draft", published_at=None, place="Chiconi")
    client = structure.client
    url = reverse("matching:need_list")
    assert "Chiconi" in _text(client.get(url))
    assert "Chiconi" not in _text(client.get(url + "?statut=published"))
    assert "Chiconi" in _text(client.get(url + "?statut=draft"))
    assert "Chiconi" not in _text(client.get(url + f"?marche={territory.contract.pk}"))
    assert "Chiconi" not in _text(client.get(url + "?q=zzzz"))
    job_word = territory.need.job.title.split()[0]
    assert "Mamoudzou" in _text(client.get(url + f"?q={job_word}"))


def test_the_facilitator_filters_referrals_by_stage_prescriber_and_need(territory, structure):
    _referral(territory, first_name="Roukia", last_name="Madi", status="shortlisted")
    _referral(territory, prescriber=territory.other_prescriber, first_name="Echati")
    other_need = HiringNeedFactory(contract=territory.contract)
    _referral(territory, need=other_need, first_name="Zaïnaba")
    url = reverse("matching:referral_list")
    client = structure.client
    text = _text(client.get(url + "?etape=shortlisted"))
    assert "Roukia" in text
    assert "Echati" not in text
    text = _text(client.get(url + f"?prescripteur={territory.other_prescriber.pk}"))
    assert "Echati" in text
    assert "Roukia" not in text
    text = _text(client.get(url + f"?besoin={other_need.pk}"))
    assert "Zaïnaba" in text
    assert "Roukia" not in text


def test_the_facilitator_hires_and_is_shown_the_new_placement(territory, structure):
    referral = _referral(territory, status="shortlisted")
    response = structure.client.post(
        reverse("matching:referral_hire", args=[referral.pk]),
        {"start_date": territory.need.start_date.isoformat()},
        follow=True,
    )
    placement = Placement.objects.get()
    assert reverse("inclusion:placement_detail", args=[placement.pk]) in _text(response)
    assert "voir la mise en emploi créée" in _text(response)
    assert HiringNeed.objects.get(pk=territory.need.pk).status == "filled"


def test_the_facilitator_publishes_from_the_page(territory, structure):
    need = HiringNeedFactory(contract=territory.contract, status="submitted", published_at=None)
    response = structure.client.post(reverse("matching:need_publish", args=[need.pk]), follow=True)
    assert "Le besoin est publié aux prescripteurs de son territoire." in _text(response)
    # A second click finds a French reason, not an error page.
    response = structure.client.post(reverse("matching:need_publish", args=[need.pk]), follow=True)
    assert "Seul un besoin en brouillon" in _text(response)


def test_a_company_posts_a_need_from_the_contract(territory):
    client = logged_in(territory.company_user)
    url = reverse("matching:need_create") + f"?marche={territory.contract.pk}"
    form = _text(client.get(url))
    assert territory.company.name in form
    response = client.post(
        url,
        {
            "contract": territory.contract.pk,
            "employer": territory.company.pk,
            "job": any_job().pk,
            "positions": 2,
            "contract_type": "cdd",
            "start_date": (datetime.date.today() + datetime.timedelta(days=15)).isoformat(),
            "duration_months": 6,
            "weekly_hours": "35",
            "place": "Longoni",
            "postal_code": "97690",
        },
        follow=True,
    )
    need = HiringNeed.objects.get(place="Longoni")
    assert need.status == "draft"
    assert "est enregistré en brouillon" in _text(response)
    assert "Transmettre au facilitateur" in _text(response)


def test_the_job_search_answers_companies_too(territory):
    response = logged_in(territory.company_user).get(reverse("matching:job_search") + "?q=maçon")
    assert "<option" in _text(response)


# Query counts ---------------------------------------------------------------------------


def _many_needs(territory, count: int) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        need = HiringNeedFactory(contract=territory.contract, place=f"Lieu {index}")
        ReferralFactory(need=need, prescriber=territory.prescriber, status="shortlisted")


@pytest.mark.parametrize("role", ["facilitator", "company_user", "coordinator", "prescriber_user"])
def test_list_pages_keep_a_bounded_number_of_queries(
    territory, role, django_assert_max_num_queries
):
    _many_needs(territory, 12)
    client = logged_in(getattr(territory, role))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("matching:need_list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("matching:referral_list")).status_code == 200


# The prescriber's area, edited with the organisation ------------------------------------


def test_a_prescribers_area_is_checked_and_kept(structure):
    url = reverse("organisations:organisation_create")
    data = {
        "kind": "prescriber",
        "prescriber_kind": "france_travail",
        "name": "France Travail Évry",
        "facilitator": structure.organisation.pk,
    }
    response = structure.client.post(url, {**data, "area_departments": "91, 999"})
    assert "Code de département inconnu : 999." in _text(response)
    structure.client.post(url, {**data, "area_departments": "91 ;78,2a"})
    prescriber = Organisation.objects.get(name="France Travail Évry")
    assert prescriber.area_departments == "2A, 78, 91"
    response = structure.client.post(
        url,
        {**data, "kind": "company", "name": "BTP", "prescriber_kind": "", "area_departments": "91"},
    )
    assert "Seul un prescripteur couvre des départements." in _text(response)


def test_the_referral_form_of_an_offer_reserved_to_rsa_asks_for_that_criterion(territory):
    rsa = EligibilityCriterion.objects.get(code="rsa")
    rqth = EligibilityCriterion.objects.get(code="rqth")
    territory.need.reserved_criteria.set([rsa])
    client = logged_in(territory.prescriber_user)
    url = reverse("matching:referral_create", args=[territory.need.pk])
    page = html.unescape(_text(client.get(url)))
    assert "Offre réservée : attestez au moins l'un de ces critères" in page
    response = client.post(
        url,
        {
            "prescriber": territory.prescriber.pk,
            "first_name": "Moussa",
            "last_name": "Ali",
            "birth_date": "1990-02-03",
            "sex": "M",
            "vouched_criteria": [rqth.pk],
        },
    )
    assert "Cette offre est réservée à un public précis" in _text(response)
    assert not Referral.objects.exists()
