"""The pages of participants, placements and hours, as a facilitator uses them."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    FacilitatorFactory,
    HoursEntryFactory,
    InclusionEmployerFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    PlacementFactory,
    any_job,
)
from tests.inclusion.conftest import follow, months_ago, open_contract, page_text
from tremplin.core.hours import max_hours_in_month
from tremplin.inclusion import services
from tremplin.inclusion.enums import EventAction, HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    InclusionEvent,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.procurement.models import Lot

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_month(month: datetime.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        str(message).replace("\u00a0", " ").replace("\u202f", " ")
        for message in response.context["messages"]
    ]


# Participants list ----------------------------------------------------------------------


def test_the_list_shows_each_participants_figures(structure, followed):
    participant = followed.participant
    participant.qpv_resident = True
    # 30 years old on any day of the year (replace(year=…) fails on 29 February).
    participant.birth_date = datetime.date(timezone.localdate().year - 30, 1, 1)
    participant.save()
    HoursEntryFactory(
        placement=followed.placement,
        month=months_ago(3),
        hours_worked=Decimal("1200.5"),
        training_hours=Decimal(34),
        status=HoursStatus.VALIDATED,
    )
    text = page_text(structure.client.get(reverse("inclusion:participant_list")))
    assert "1 participant " in text
    row = text[text.index(participant.last_name.upper()) :]
    assert row.startswith(
        f"{participant.last_name.upper()} {participant.first_name} 30 ans Mamoudzou QPV RSA 1 1 234,5"
    )
    assert "Nouveau participant" in text


def test_an_expired_criterion_is_marked_in_the_list(structure, followed):
    ParticipantCriterion.objects.filter(pk=followed.item.pk).update(
        checked_on=timezone.localdate() - datetime.timedelta(days=200),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    text = page_text(structure.client.get(reverse("inclusion:participant_list")))
    assert "RSA (justificatif expiré)" in text


def test_the_list_searches_by_name(structure):
    ParticipantFactory(facilitator=structure.organisation, first_name="Fatima", last_name="Madi")
    ParticipantFactory(facilitator=structure.organisation, first_name="Ali", last_name="Combo")
    response = structure.client.get(reverse("inclusion:participant_list"), {"q": "fatima"})
    text = page_text(response)
    assert "MADI Fatima" in text
    assert "COMBO" not in text
    assert "1 participant trouvé pour « fatima »" in text
    response = structure.client.get(reverse("inclusion:participant_list"), {"q": "inconnu"})
    assert "Aucun participant ne correspond à « inconnu »." in page_text(response)


def test_the_list_is_paginated_by_50(structure):
    ParticipantFactory.create_batch(51, facilitator=structure.organisation)
    response = structure.client.get(reverse("inclusion:participant_list"))
    text = page_text(response)
    assert "51 participants" in text
    assert "Page 1 sur 2" in text
    assert response.content.decode().count('class="fw-normal"><a href="/participants/') == 50
    second = structure.client.get(reverse("inclusion:participant_list"), {"page": 2})
    assert "Page 2 sur 2" in page_text(second)


def _populate(structure, count: int) -> None:  # type: ignore[no-untyped-def]
    rsa, qpv = EligibilityCriterion.objects.filter(code__in=["rsa", "qpv_resident"])
    for _ in range(count):
        placement = PlacementFactory(
            contract=open_contract(structure.organisation),
            start_date=months_ago(5),
            end_date=None,
        )
        for criterion in (rsa, qpv):
            ParticipantCriterion.objects.create(
                participant=placement.participant,
                criterion=criterion,
                evidence="Attestation",
                checked_on=timezone.localdate(),
            )
        HoursEntryFactory(placement=placement, month=months_ago(2))
        HoursEntryFactory(placement=placement, month=months_ago(1), status=HoursStatus.DECLARED)


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("participant_list", "30 participants"), ("hours_review", "30 déclarations en attente")],
)
def test_list_pages_make_as_many_queries_for_30_rows_as_for_2(
    name, shown, structure, django_assert_max_num_queries
):
    url = reverse(f"inclusion:{name}")
    _populate(structure, 2)
    few = _queries(structure.client, url)
    assert few <= 14
    _populate(structure, 28)
    with django_assert_max_num_queries(few):
        response = structure.client.get(url)
    assert shown in page_text(response)


# Creating and changing a participant ----------------------------------------------------


def _identity(**fields: object) -> dict[str, object]:
    return {
        "first_name": "Zaïnaba",
        "last_name": "Attoumani",
        "birth_date": "1999-12-01",
        "sex": "F",
        "postal_code": "97600",
        "city": "Mamoudzou",
        "qualification_level": "3",
        **fields,
    }


def test_a_participant_is_created_in_the_users_structure(structure, network):
    prescriber = OrganisationFactory(
        network=network, kind="prescriber", prescriber_kind="mission_locale", name="Mission locale"
    )
    OrganisationFactory(kind="prescriber", prescriber_kind="plie", name="PLIE d'un autre réseau")
    page = structure.client.get(reverse("inclusion:participant_create"))
    html = page.content.decode()
    assert f'type="hidden" name="facilitator" value="{structure.organisation.pk}"' in html
    assert "Mission locale" in html
    assert "PLIE d'un autre réseau" not in html
    assert set(page.context["form"].fields) == {
        "facilitator",
        "first_name",
        "last_name",
        "birth_date",
        "sex",
        "postal_code",
        "city",
        "qpv_resident",
        "qualification_level",
        "email",
        "phone",
        "referred_by",
        "notes",
        "confirm_duplicates",
    }
    response = structure.client.post(
        reverse("inclusion:participant_create"),
        _identity(facilitator=structure.organisation.pk, referred_by=prescriber.pk),
        follow=True,
    )
    participant = Participant.objects.get(last_name="Attoumani")
    assert participant.facilitator == structure.organisation
    assert participant.referred_by == prescriber
    assert response.redirect_chain[-1][0] == reverse(
        "inclusion:participant_detail", args=[participant.pk]
    )
    assert "Zaïnaba ATTOUMANI est enregistré(e) comme participant." in messages_of(response)
    assert "Participant créé" in page_text(response)


def test_a_user_of_two_structures_chooses_one(structure, network):
    second = FacilitatorFactory(network=network, name="Mission insertion Est")
    MembershipFactory(user=structure.user, organisation=second)
    html = structure.client.get(reverse("inclusion:participant_create")).content.decode()
    assert "<select" in html
    assert "Mission insertion Est" in html
    assert "PLIE Nord" in html
    structure.client.post(reverse("inclusion:participant_create"), _identity(facilitator=second.pk))
    assert Participant.objects.get(last_name="Attoumani").facilitator == second


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (
            (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "La date de naissance ne peut pas être dans le futur.",
        ),
        (
            datetime.date(timezone.localdate().year - 14, 1, 1).isoformat(),
            "Un participant doit avoir au moins 16 ans",
        ),
        ("31/02/1990", "Saisissez une date valide."),
    ],
)
def test_an_impossible_birth_date_gets_a_french_error(structure, birth_date, message):
    response = structure.client.post(
        reverse("inclusion:participant_create"),
        _identity(facilitator=structure.organisation.pk, birth_date=birth_date),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["birth_date"])
    assert message in page_text(response)
    assert not Participant.objects.exists()


def test_a_change_of_identity_shows_in_the_history(structure, followed):
    participant = followed.participant
    url = reverse("inclusion:participant_update", args=[participant.pk])
    form = structure.client.get(url)
    assert form.context["form"].initial["city"] == "Mamoudzou"
    response = structure.client.post(
        url,
        _identity(
            first_name=participant.first_name,
            last_name=participant.last_name,
            birth_date=participant.birth_date.isoformat(),
            city="Koungou",
            qpv_resident="on",
        ),
        follow=True,
    )
    text = page_text(response)
    assert f"La fiche de {participant.first_name}" in " ".join(messages_of(response))
    assert "Participant modifié" in text
    assert "Commune : Mamoudzou → devient Koungou" in text
    assert "Habite un quartier prioritaire (QPV) : non → devient oui" in text


# Participant page -----------------------------------------------------------------------


def test_the_participant_page_shows_criteria_placements_and_history(structure, followed):
    today = timezone.localdate()
    expiring = ParticipantCriterion.objects.create(
        participant=followed.participant,
        criterion=EligibilityCriterion.objects.get(code="long_term_job_seeker"),
        evidence="Attestation France Travail",
        checked_on=today - datetime.timedelta(days=170),
        valid_until=today + datetime.timedelta(days=12),
        checked_by=structure.user,
    )
    ParticipantCriterion.objects.create(
        participant=followed.participant,
        criterion=EligibilityCriterion.objects.get(code="qpv_resident"),
        evidence="Facture d'électricité",
        checked_on=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=35),
    )
    HoursEntryFactory(placement=followed.placement, month=months_ago(3), hours_worked=100)
    response = structure.client.get(
        reverse("inclusion:participant_detail", args=[followed.participant.pk])
    )
    html, text = response.content.decode(), page_text(response)
    assert (
        f"Attestation France Travail · vérifié le {expiring.checked_on:%d/%m/%Y} par "
        f"{structure.user.get_full_name()} Valable jusqu'au {expiring.valid_until:%d/%m/%Y} "
        "Expire bientôt"
    ) in text
    assert "Expiré" in text
    assert text.count("Expire bientôt") == 1
    assert reverse("procurement:contract_detail", args=[followed.contract.pk]) in html
    assert reverse("inclusion:placement_detail", args=[followed.placement.pk]) in html
    assert f"Marché {followed.contract.reference} · lot 1" in text
    assert "100 h validées" in text
    assert "Nouvelle mise en emploi" in text
    assert response.context["criterion_form"].initial["checked_on"] == today


def test_history_is_shown_in_the_networks_time_zone(structure, followed, network):
    network.time_zone = "Indian/Mayotte"
    network.save()
    services.hours_record(
        actor=structure.user,
        placement=followed.placement,
        month=followed.entry.month,
        hours_worked=Decimal("130.5"),
    )
    event = InclusionEvent.objects.get(action=EventAction.HOURS_CHANGED)
    local = event.occurred_at.astimezone(zoneinfo.ZoneInfo("Indian/Mayotte"))
    paris = event.occurred_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    text = page_text(
        structure.client.get(
            reverse("inclusion:participant_detail", args=[followed.participant.pk])
        )
    )
    assert f"le {local:%d/%m/%Y à %H:%M}, par {structure.user.get_full_name()}" in text
    assert f"à {paris:%H:%M}," not in text
    assert (
        f"Heures modifiées — {french_month(followed.entry.month)} — marché "
        f"{followed.contract.reference}"
    ) in text
    assert "Heures travaillées : 120 h → devient 130,5 h" in text


def test_the_participant_page_makes_as_many_queries_for_a_long_history(
    structure, followed, django_assert_max_num_queries
):
    url = reverse("inclusion:participant_detail", args=[followed.participant.pk])

    def record(months: range) -> None:
        for count in months:
            services.hours_record(
                actor=structure.user,
                placement=followed.placement,
                month=months_ago(count),
                hours_worked=Decimal(10),
                validate=True,
            )

    def criterion(code: str) -> None:
        services.criterion_set(
            actor=structure.user,
            participant=followed.participant,
            criterion=EligibilityCriterion.objects.get(code=code),
            evidence="Justificatif",
            checked_on=timezone.localdate(),
        )

    record(range(3, 4))
    criterion("rqth")
    few = _queries(structure.client, url)
    record(range(4, 6))
    criterion("qpv_resident")
    criterion("senior_job_seeker")
    assert InclusionEvent.objects.filter(participant=followed.participant).count() >= 5
    with django_assert_max_num_queries(few):
        structure.client.get(url)


def test_a_criterion_is_added_then_removed(structure, followed):
    detail = reverse("inclusion:participant_detail", args=[followed.participant.pk])
    rqth = EligibilityCriterion.objects.get(code="rqth")
    response = structure.client.post(
        reverse("inclusion:criterion_set", args=[followed.participant.pk]),
        {
            "criterion": rqth.pk,
            "evidence": "Décision MDPH du 03/02/2026",
            "checked_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{detail}#criteres"
    text = page_text(response)
    assert "Travailleur handicapé reconnu (RQTH) Décision MDPH du 03/02/2026" in text
    assert "Sans limite de validité" in text
    item = ParticipantCriterion.objects.get(criterion=rqth)
    assert item.checked_by == structure.user
    response = structure.client.post(
        reverse("inclusion:criterion_remove", args=[item.pk]), follow=True
    )
    assert not ParticipantCriterion.objects.filter(pk=item.pk).exists()
    text = page_text(response)
    assert "Critère d'éligibilité retiré — Travailleur handicapé reconnu (RQTH)" in text
    assert "Justificatif : Décision MDPH du 03/02/2026" in text


def test_a_criterion_checked_in_the_future_is_refused(structure, followed):
    response = structure.client.post(
        reverse("inclusion:criterion_set", args=[followed.participant.pk]),
        {
            "criterion": followed.item.criterion_id,
            "evidence": "Attestation",
            "checked_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "La date de vérification ne peut pas être future." in page_text(response)
    assert ParticipantCriterion.objects.get(pk=followed.item.pk).evidence == "Attestation CAF"


def test_a_validity_ending_before_the_check_is_refused(structure, followed):
    today = timezone.localdate()
    response = structure.client.post(
        reverse("inclusion:criterion_set", args=[followed.participant.pk]),
        {
            "criterion": followed.item.criterion_id,
            "evidence": "Attestation",
            "checked_on": today.isoformat(),
            "valid_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.context["criterion_form"].errors["valid_until"] == [
        "La fin de validité précède la date de vérification."
    ]


def test_only_the_networks_criteria_are_offered(structure, followed, network):
    rqth = EligibilityCriterion.objects.get(code="rqth")
    network.eligibility_criteria.remove(rqth)
    response = structure.client.get(
        reverse("inclusion:participant_detail", args=[followed.participant.pk])
    )
    assert rqth not in response.context["criterion_form"].fields["criterion"].queryset
    response = structure.client.post(
        reverse("inclusion:criterion_set", args=[followed.participant.pk]),
        {
            "criterion": rqth.pk,
            "evidence": "MDPH",
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not ParticipantCriterion.objects.filter(criterion=rqth).exists()


def test_renewing_a_criterion_prefills_the_form(structure, followed):
    response = structure.client.get(
        reverse("inclusion:participant_detail", args=[followed.participant.pk]),
        {"critere": followed.item.criterion_id},
    )
    assert response.context["criterion_form"].initial["evidence"] == "Attestation CAF"


# Placements -----------------------------------------------------------------------------


def _placement(followed, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "contract": followed.contract.pk,
        "lot": followed.lot.pk,
        "employer": followed.contract.awarded_company_id,
        "execution_mode": "direct_cdi",
        "job": any_job().pk,
        "start_date": months_ago(1).isoformat(),
        **fields,
    }


def test_the_placement_form_never_lists_the_11000_job_titles(structure, followed):
    response = structure.client.get(
        reverse("inclusion:placement_create", args=[followed.participant.pk])
    )
    assert response.status_code == 200
    assert response.content.decode().count("<option") < 100
    assert reverse("inclusion:job_search") in response.content.decode()


def test_the_job_search_finds_titles_without_accents(structure):
    response = structure.client.get(reverse("inclusion:job_search"), {"q": "macon"})
    html = response.content.decode()
    assert "Maçon / Maçonne (F1703)" in html
    assert html.count("<option") <= 41
    by_code = structure.client.get(reverse("inclusion:job_search"), {"q": "F1703"})
    assert "(F1703)" in by_code.content.decode()
    assert "(F1702)" not in by_code.content.decode()
    nothing = structure.client.get(reverse("inclusion:job_search"), {"q": "zzzzqq"})
    assert "aucun poste pour « zzzzqq »" in nothing.content.decode()


def test_the_lots_follow_the_chosen_contract(structure, followed):
    response = structure.client.get(
        reverse("inclusion:placement_lots"), {"contract": followed.contract.pk}
    )
    assert "Lot 1 — Gros œuvre" in response.content.decode()
    form = structure.client.get(
        reverse("inclusion:placement_create", args=[followed.participant.pk]),
        {"marche": followed.contract.pk},
    )
    assert "Lot 1 — Gros œuvre" in form.content.decode()


def test_a_placement_is_created(structure, followed):
    followed.placement.end_date = months_ago(2)
    followed.placement.save()
    response = structure.client.post(
        reverse("inclusion:placement_create", args=[followed.participant.pk]),
        _placement(followed),
        follow=True,
    )
    placement = Placement.objects.exclude(pk=followed.placement.pk).get()
    assert placement.lot == followed.lot
    assert response.redirect_chain[-1][0] == reverse(
        "inclusion:placement_detail", args=[placement.pk]
    )
    assert (
        f"Mise en emploi de {followed.participant} sur le marché "
        f"{followed.contract.reference} enregistrée."
    ) in messages_of(response)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start_date": "2001-01-01"},
            "start_date",
            "Le début doit tomber dans la période d'exécution du marché",
        ),
        ({"end_date": "2099-01-01"}, "end_date", "La fin ne peut pas dépasser la fin d'exécution"),
        ({}, "start_date", "les deux périodes se chevauchent"),
        (
            {"end_date": months_ago(3).isoformat()},
            "end_date",
            "La fin précède le début.",
        ),
    ],
)
def test_placement_errors_are_shown_on_their_fields(structure, followed, fields, field, message):
    response = structure.client.post(
        reverse("inclusion:placement_create", args=[followed.participant.pk]),
        _placement(followed, **fields),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Placement.objects.count() == 1
    # The chosen job stays chosen, and only it is rendered.
    assert f'<option value="{any_job().pk}" selected>' in response.content.decode()


def test_a_lot_of_another_contract_gets_the_services_message(structure, followed):
    other = Lot.objects.create(
        contract=open_contract(structure.organisation), number=4, title="Peinture"
    )
    response = structure.client.post(
        reverse("inclusion:placement_create", args=[followed.participant.pk]),
        _placement(followed, lot=other.pk),
    )
    assert response.context["form"].errors["lot"] == ["Ce lot n'appartient pas au marché choisi."]


# Placement page and hours ---------------------------------------------------------------


def test_the_placement_page_shows_the_months(structure, followed):
    rejected = HoursEntryFactory(
        placement=followed.placement,
        month=months_ago(3),
        hours_worked=Decimal(140),
        training_hours=Decimal("7.5"),
        status=HoursStatus.REJECTED,
        rejection_reason="Feuille non signée",
    )
    HoursEntryFactory(placement=followed.placement, month=months_ago(4), hours_worked=100)
    response = structure.client.get(
        reverse("inclusion:placement_detail", args=[followed.placement.pk])
    )
    text = page_text(response)
    assert f"{french_month(followed.entry.month)} 120 Déclarées 120 0" in text
    assert (
        f"{french_month(rejected.month)} 147,5 Refusées Motif : Feuille non signée 140 7,5" in text
    )
    assert f"{french_month(months_ago(4))} 100 Validées 100 0" in text
    assert "Total (hors refus) 220 dont 100 validées, 120 à valider 220 0" in text
    assert text.index(french_month(months_ago(4))) < text.index(french_month(months_ago(2)))


def _hours(followed, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "12,5", **fields}


def test_hours_are_recorded_with_a_decimal_comma(structure, followed):
    response = structure.client.post(
        reverse("inclusion:hours_record", args=[followed.placement.pk]),
        _hours(followed, training_hours="3,25"),
        follow=True,
    )
    entry = HoursEntry.objects.get(month=months_ago(1))
    assert (entry.hours_worked, entry.training_hours) == (Decimal("12.5"), Decimal("3.25"))
    assert entry.status == HoursStatus.DECLARED
    assert f"15,75 heures en {french_month(months_ago(1))} enregistrées (à valider)." in (
        messages_of(response)
    )


def test_a_facilitator_may_validate_at_once(structure, followed):
    structure.client.post(
        reverse("inclusion:hours_record", args=[followed.placement.pk]),
        _hours(followed, hours_worked="151.67", validate="on"),
    )
    entry = HoursEntry.objects.get(month=months_ago(1))
    assert entry.status == HoursStatus.VALIDATED
    assert entry.reviewed_by == structure.user


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"hours_worked": "-3"}, "hours_worked", "Les heures ne peuvent pas être négatives."),
        ({"hours_worked": "douze"}, "hours_worked", "Saisissez un nombre."),
        ({"hours_worked": "400"}, "hours_worked", "une personne ne peut pas travailler plus de"),
        ({"month": "2001-01"}, "month", "est hors de la mise en emploi"),
        (
            {"month": months_ago(-1).strftime("%Y-%m")},
            "month",
            "On ne déclare pas les heures d'un mois à venir.",
        ),
        ({"month": "mars"}, "month", "Saisissez un mois valide"),
    ],
)
def test_bad_hours_get_a_french_error_and_save_nothing(structure, followed, fields, field, message):
    response = structure.client.post(
        reverse("inclusion:hours_record", args=[followed.placement.pk]), _hours(followed, **fields)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["hours_form"].errors[field])
    assert message in page_text(response)
    assert HoursEntry.objects.count() == 1


def test_the_ceiling_is_shown_in_french(structure, followed):
    month = months_ago(1)
    ceiling = max_hours_in_month(month.year, month.month)
    response = structure.client.post(
        reverse("inclusion:hours_record", args=[followed.placement.pk]),
        _hours(followed, hours_worked=str(ceiling + 1).replace(".", ",")),
    )
    expected = f"plus de {str(ceiling).replace('.', ',')} heures ce mois-là"
    assert expected in page_text(response)


# Review of declared hours ---------------------------------------------------------------


@pytest.fixture
def queue(structure, followed):  # type: ignore[no-untyped-def]
    """Three declared months: two on ``followed``'s contract, one with an ETTI elsewhere."""
    second = HoursEntryFactory(
        placement=followed.placement,
        month=months_ago(1),
        hours_worked=Decimal("1000"),
        status=HoursStatus.DECLARED,
    )
    etti = InclusionEmployerFactory(network=structure.organisation.network, name="ETTI Lagon")
    elsewhere = PlacementFactory(
        contract=open_contract(structure.organisation),
        employer=etti,
        start_date=months_ago(5),
        end_date=None,
    )
    third = HoursEntryFactory(
        placement=elsewhere, month=months_ago(1), hours_worked=310, status=HoursStatus.DECLARED
    )
    HoursEntryFactory(placement=elsewhere, month=months_ago(2), hours_worked=99)  # validated
    return followed.entry, second, third


def test_the_queue_counts_what_awaits(structure, queue):
    text = page_text(structure.client.get(reverse("inclusion:hours_review")))
    assert "3 déclarations en attente, 1 430 heures" in text
    assert "Valider la sélection" in text
    assert "Filtrez par mois, marché ou employeur pour tout valider d'un coup." in text


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (lambda q: {"month": q[1].month.strftime("%Y-%m")}, "2 déclarations en attente, 1 310"),
        (
            lambda q: {"contract": q[0].placement.contract_id},
            "2 déclarations en attente, 1 120",
        ),
        (lambda q: {"employer": q[2].placement.employer_id}, "1 déclaration en attente, 310"),
    ],
)
def test_the_queue_filters_by_month_contract_and_employer(structure, queue, filters, expected):
    response = structure.client.get(reverse("inclusion:hours_review"), filters(queue))
    text = page_text(response)
    assert expected in text
    assert "(selon le filtre)" in text
    assert "du filtre" in text


def test_validating_a_row_with_htmx_swaps_it(structure, queue):
    entry = queue[0]
    response = structure.client.post(
        reverse("inclusion:hours_validate", args=[entry.pk]),
        {"next": reverse("inclusion:hours_review")},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="declaration-{entry.pk}">')
    assert "Validées" in html
    assert response["HX-Trigger"] == "hours-reviewed"
    entry.refresh_from_db()
    assert entry.status == HoursStatus.VALIDATED


def test_validating_a_row_without_htmx_redirects(structure, queue):
    entry = queue[0]
    back = reverse("inclusion:hours_review") + f"?contract={entry.placement.contract_id}"
    response = structure.client.post(
        reverse("inclusion:hours_validate", args=[entry.pk]), {"next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    response = structure.client.get(back)
    assert (
        f"120 heures de {entry.placement.participant} en {french_month(entry.month)} validées."
        in messages_of(response)
    )


def test_validating_never_redirects_off_site(structure, queue):
    response = structure.client.post(
        reverse("inclusion:hours_validate", args=[queue[0].pk]),
        {"next": "https://exemple.com/"},
    )
    assert response["Location"] == reverse("inclusion:hours_review")


def test_rejecting_needs_a_reason(structure, queue):
    entry = queue[0]
    url = reverse("inclusion:hours_reject", args=[entry.pk])
    response = structure.client.post(url, {"reason": " "}, follow=True)
    assert "Indiquez le motif du refus." in messages_of(response)
    entry.refresh_from_db()
    assert entry.status == HoursStatus.DECLARED
    row = structure.client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    assert "Indiquez le motif du refus." in row.content.decode()
    assert 'class="collapse show' in row.content.decode()
    response = structure.client.post(url, {"reason": "Feuille non signée"}, follow=True)
    entry.refresh_from_db()
    assert (entry.status, entry.rejection_reason) == (HoursStatus.REJECTED, "Feuille non signée")
    assert "2 déclarations en attente" in page_text(response)


def test_bulk_validation_of_selected_rows(structure, queue):
    first, second, third = queue
    response = structure.client.post(
        reverse("inclusion:hours_validate_bulk"), {"entries": [first.pk, third.pk]}, follow=True
    )
    assert "2 déclarations validées (430 heures)." in messages_of(response)
    statuses = dict(HoursEntry.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[third.pk] == HoursStatus.VALIDATED
    assert statuses[second.pk] == HoursStatus.DECLARED


def test_bulk_validation_of_a_whole_filter(structure, queue):
    first, _second, third = queue
    response = structure.client.post(
        reverse("inclusion:hours_validate_bulk"),
        {"everything": "on", "contract": first.placement.contract_id},
        follow=True,
    )
    assert "2 déclarations validées (1 120 heures)." in messages_of(response)
    assert HoursEntry.objects.get(pk=third.pk).status == HoursStatus.DECLARED


def test_bulk_validation_of_everything_needs_a_filter(structure, queue):
    response = structure.client.post(
        reverse("inclusion:hours_validate_bulk"), {"everything": "on"}, follow=True
    )
    assert "Choisissez un mois, un marché ou un employeur avant de tout valider." in messages_of(
        response
    )
    assert HoursEntry.objects.filter(status=HoursStatus.DECLARED).count() == 3
    response = structure.client.post(reverse("inclusion:hours_validate_bulk"), {}, follow=True)
    assert "Cochez au moins une déclaration à valider." in messages_of(response)


def test_the_other_structures_queue_is_empty(other_structure, queue):
    follow(other_structure.organisation, last_name="Voisine")
    text = page_text(other_structure.client.get(reverse("inclusion:hours_review")))
    assert "1 déclaration en attente, 120 heures" in text


# Plausible identities -------------------------------------------------------------------


def test_a_participant_born_81_years_ago_is_refused_as_a_slip_of_the_year(structure):
    # 1 January of the year 81 years ago: 81 years old on any day of this year.
    born = datetime.date(timezone.localdate().year - 81, 1, 1)
    response = structure.client.post(
        reverse("inclusion:participant_create"),
        _identity(facilitator=structure.organisation.pk, birth_date=born.isoformat()),
    )
    assert (
        f"Un participant a au plus 80 ans : la personne née le {born:%d/%m/%Y} en aurait 81. "
        "Vérifiez l'année de naissance." in page_text(response)
    )
    assert not Participant.objects.exists()


def test_a_participant_of_80_is_accepted(structure):
    born = datetime.date(timezone.localdate().year - 80, 1, 1)
    structure.client.post(
        reverse("inclusion:participant_create"),
        _identity(facilitator=structure.organisation.pk, birth_date=born.isoformat()),
    )
    assert Participant.objects.get().birth_date == born


def test_a_postal_code_that_does_not_exist_is_refused_on_the_participant_form(structure):
    response = structure.client.post(
        reverse("inclusion:participant_create"),
        _identity(facilitator=structure.organisation.pk, postal_code="00123"),
    )
    assert "Le code postal 00123 n'existe pas : aucun département" in page_text(response)
    assert not Participant.objects.exists()


def test_an_impossible_postal_code_is_refused_by_the_service_too(structure):
    participant = ParticipantFactory(facilitator=structure.organisation)
    with pytest.raises(ValidationError) as error:
        services.participant_update(
            actor=structure.user, participant=participant, postal_code="20300"
        )
    assert (
        "en Corse, les codes postaux commencent par 200 ou 201"
        in (error.value.message_dict["postal_code"][0])
    )
