"""The company space: a company sees its own contracts, the people it employs and their
hours, never another company's; it declares people with their evidence and their monthly
hours, and the facilitator structure checks and validates them."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CompanyFactory,
    HoursEntryFactory,
    InclusionEmployerFactory,
    OrganisationFactory,
    ParticipantFactory,
    PlacementFactory,
    any_job,
    member_of,
)
from tests.inclusion.conftest import fingerprint, months_ago, open_contract, page_text
from tremplin.inclusion import selectors, services
from tremplin.inclusion.enums import CriterionStatus, HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    HoursEntry,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Company:
    organisation: Organisation
    user: User
    client: Client


def company_in(structure, name: str, factory=CompanyFactory) -> Company:  # type: ignore[no-untyped-def]
    fields = {"network": structure.organisation.network, "name": name}
    if factory is not InclusionEmployerFactory:
        fields["facilitator"] = structure.organisation
    organisation = factory(**fields)
    user = member_of(organisation)
    client = Client()
    client.force_login(user)
    return Company(organisation, user, client)


@pytest.fixture
def lagon(structure) -> Company:  # type: ignore[no-untyped-def]
    return company_in(structure, "Lagon BTP")


@pytest.fixture
def rival(structure) -> Company:  # type: ignore[no-untyped-def]
    return company_in(structure, "Maoré Bâtiment")


def hire(
    contract: Contract,
    employer: Organisation,
    last_name: str,
    months: tuple[tuple[int, str, int], ...] = ((2, HoursStatus.VALIDATED, 120),),
) -> Placement:
    """A person of the contract's facilitator, employed by ``employer`` for six months."""
    participant = ParticipantFactory(facilitator=contract.facilitator, last_name=last_name)
    placement = PlacementFactory(
        participant=participant,
        contract=contract,
        employer=employer,
        start_date=months_ago(6),
        end_date=None,
    )
    for ago, status, hours in months:
        HoursEntryFactory(
            placement=placement,
            month=months_ago(ago),
            hours_worked=Decimal(hours),
            status=status,
            rejection_reason="Feuille non signée" if status == HoursStatus.REJECTED else "",
        )
    return placement


@pytest.fixture
def site(structure, lagon, rival):  # type: ignore[no-untyped-def]
    """Lagon holds a contract with two people (one of them its own, one provided by
    another employer); the rival holds another contract with its own person."""
    mine = open_contract(structure.organisation, awarded_company=lagon.organisation, hours=700)
    theirs = open_contract(structure.organisation, awarded_company=rival.organisation, hours=500)
    own = hire(
        mine,
        lagon.organisation,
        "Madi",
        ((3, HoursStatus.VALIDATED, 120), (2, HoursStatus.DECLARED, 100)),
    )
    elsewhere = hire(mine, rival.organisation, "Ailleurs")
    other = hire(theirs, rival.organisation, "Voisine")
    return {"mine": mine, "theirs": theirs, "own": own, "elsewhere": elsewhere, "other": other}


def declaration(contract: Contract, **fields: object) -> dict[str, object]:
    rsa = EligibilityCriterion.objects.get(code="rsa")
    data: dict[str, object] = {
        "first_name": "Nasra",
        "last_name": "Ahamadi",
        "birth_date": "1994-03-12",
        "sex": "F",
        "postal_code": "97600",
        "city": "Mamoudzou",
        "qualification_level": "none",
        "execution_mode": "direct_cdd",
        "job": any_job().pk,
        "start_date": months_ago(2).isoformat(),
        f"criterion_{rsa.pk}": "on",
        f"evidence_{rsa.pk}": SimpleUploadedFile(
            "attestation-caf-nasra-ahamadi.pdf", PDF, content_type="application/pdf"
        ),
    }
    employer = contract.awarded_company
    if employer is not None:
        data["employer"] = employer.pk
    data.update(fields)
    return data


def rsa_field(prefix: str = "evidence") -> str:
    return f"{prefix}_{EligibilityCriterion.objects.get(code='rsa').pk}"


# What a company sees -------------------------------------------------------------------


def test_the_company_space_lists_its_contracts_with_what_they_owe(structure, lagon, site):
    subcontracted = open_contract(structure.organisation, hours=300)
    subcontracted.subcontractors.add(lagon.organisation)
    response = lagon.client.get(reverse("company:home"))
    text = page_text(response)
    assert response.status_code == 200
    for contract in (site["mine"], subcontracted):
        assert contract.reference in text
    assert site["theirs"].reference not in text
    # 700 h required; 240 h validated (120 by Lagon, 120 by the other employer); 100 h
    # declared; 460 h still owed; the obligation's formula is shown.
    row = text.split(site["mine"].reference, 1)[1].split(subcontracted.reference)[0]
    assert "700 h fixées au marché = 700 h → 700 h" in row
    assert "700 240 100 460" in row
    assert "1 mise en emploi" in row
    assert "1 000 h exigées par vos 2 marchés" in text


def test_a_company_sees_a_contract_where_it_only_employs_people(structure, lagon, rival):
    contract = open_contract(structure.organisation, awarded_company=rival.organisation)
    hire(contract, lagon.organisation, "Provided")
    assert contract.reference in page_text(lagon.client.get(reverse("company:home")))
    response = lagon.client.get(reverse("company:contract_detail", args=[contract.pk]))
    assert response.status_code == 200
    assert "PROVIDED" in page_text(response)


def test_the_contract_page_shows_the_companys_people_and_their_months(lagon, site):
    response = lagon.client.get(reverse("company:contract_detail", args=[site["mine"].pk]))
    text = page_text(response)
    assert "MADI" in text
    assert "Validées" in text
    assert "Déclarées" in text
    # A person placed on the same contract by another employer is not the company's.
    assert "AILLEURS" not in text
    assert "Déclarer une personne" in text


COMPANY_PAGES = ["contract_detail", "participant_declare", "placement_detail"]


@pytest.mark.parametrize("name", COMPANY_PAGES)
def test_another_companys_pages_are_404_and_change_nothing(name, lagon, site):
    target = site["theirs"].pk if name != "placement_detail" else site["other"].pk
    url = reverse(f"company:{name}", args=[target])
    before = fingerprint()
    assert lagon.client.get(url).status_code == 404
    assert lagon.client.post(url, declaration(site["theirs"])).status_code == 404
    assert fingerprint() == before


def test_a_person_placed_elsewhere_on_the_same_contract_is_404(lagon, site):
    before = fingerprint()
    for name in ("placement_detail", "hours_declare"):
        url = reverse(f"company:{name}", args=[site["elsewhere"].pk])
        response = lagon.client.post(
            url, {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "10"}
        )
        assert response.status_code == 404
    assert fingerprint() == before


def test_company_selectors_never_reach_another_employers_people(lagon, rival, site):
    scope = scope_for(lagon.user)
    own = site["own"]
    assert list(selectors.company_placements_visible_to(scope)) == [own]
    assert list(selectors.company_participants_visible_to(scope)) == [own.participant]
    assert set(selectors.company_hours_entries_visible_to(scope)) == set(own.hours_entries.all())
    # The same person employed elsewhere too: only Lagon's placement is Lagon's.
    second = PlacementFactory(
        participant=own.participant,
        contract=site["theirs"],
        employer=rival.organisation,
        start_date=months_ago(6),
    )
    assert second not in selectors.company_placements_visible_to(scope)
    # Facilitators' selectors give a company nothing: their pages stay theirs.
    assert not selectors.participants_visible_to(scope).exists()
    assert not selectors.placements_visible_to(scope).exists()
    assert not selectors.hours_entries_visible_to(scope).exists()


def test_facilitators_and_buyers_have_no_company_space(structure, site):
    buyer = OrganisationFactory(
        network=structure.organisation.network, kind="buyer", buyer_kind="municipality"
    )
    client = Client()
    client.force_login(member_of(buyer))
    for someone in (structure.client, client):
        assert someone.get(reverse("company:home")).status_code == 404
        assert (
            someone.get(reverse("company:contract_detail", args=[site["mine"].pk])).status_code
            == 404
        )


def test_company_users_have_no_facilitator_pages(lagon, site):
    assert lagon.client.get(reverse("inclusion:participant_list")).status_code == 404
    assert (
        lagon.client.get(
            reverse("inclusion:participant_detail", args=[site["own"].participant.pk])
        ).status_code
        == 404
    )
    assert lagon.client.get(reverse("eligibility:criteria_review")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, site):
    urls = [
        reverse("company:home"),
        reverse("company:contract_detail", args=[site["mine"].pk]),
        reverse("company:participant_declare", args=[site["mine"].pk]),
        reverse("company:placement_detail", args=[site["own"].pk]),
        reverse("company:hours_declare", args=[site["own"].pk]),
        reverse("company:job_search"),
    ]
    before = fingerprint()
    for url in urls:
        for send in (client.get, client.post):
            response = send(url)
            assert response.status_code == 302
            assert unquote(response["Location"]) == f"/connexion/?next={url}"
    assert fingerprint() == before


def test_the_navigation_leads_companies_to_their_space(structure, lagon, site):
    link = reverse("company:home")
    home = lagon.client.get(reverse("home"))
    assert "Mon espace entreprise" in page_text(home)
    assert f'href="{link}"' in home.content.decode()
    assert "Mon espace entreprise" not in page_text(structure.client.get(reverse("home")))


def test_an_inclusion_employer_declares_the_hours_of_its_staff(structure, lagon):
    etti = company_in(structure, "Intérim Insertion", factory=InclusionEmployerFactory)
    contract = open_contract(structure.organisation, awarded_company=lagon.organisation)
    contract.subcontractors.add(etti.organisation)
    placement = hire(contract, etti.organisation, "Interimaire", months=())
    assert contract.reference in page_text(etti.client.get(reverse("company:home")))
    response = etti.client.post(
        reverse("company:hours_declare", args=[placement.pk]),
        {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "75,5"},
        follow=True,
    )
    assert "75,5 heures en" in page_text(response)
    entry = HoursEntry.objects.get(placement=placement)
    assert entry.status == HoursStatus.DECLARED
    assert entry.declared_by == etti.user
    # Lagon, the holder, does not see the ETTI's staff.
    assert "INTERIMAIRE" not in page_text(
        lagon.client.get(reverse("company:contract_detail", args=[contract.pk]))
    )


# Monthly hours --------------------------------------------------------------------------


def test_a_company_declares_a_month_and_the_facilitator_sees_it_to_validate(structure, lagon, site):
    placement = site["own"]
    month = months_ago(1)
    response = lagon.client.post(
        reverse("company:hours_declare", args=[placement.pk]),
        {"month": month.strftime("%Y-%m"), "hours_worked": "151,67", "training_hours": "7"},
        follow=True,
    )
    assert "158,67 heures en" in page_text(response)
    entry = HoursEntry.objects.get(placement=placement, month=month)
    assert entry.status == HoursStatus.DECLARED
    queue = structure.client.get(reverse("inclusion:hours_review"))
    assert reverse("inclusion:placement_detail", args=[placement.pk]) in queue.content.decode()


def test_a_company_can_never_validate_its_own_hours(lagon, site):
    entry = site["own"].hours_entries.get(status=HoursStatus.DECLARED)
    before = fingerprint()
    # The facilitator's buttons are not the company's.
    assert (
        lagon.client.post(reverse("inclusion:hours_validate", args=[entry.pk])).status_code == 404
    )
    assert (
        lagon.client.post(
            reverse("inclusion:hours_validate_bulk"), {"entries": [entry.pk]}
        ).status_code
        == 404
    )
    assert fingerprint() == before
    # Asking the company form to validate only declares.
    lagon.client.post(
        reverse("company:hours_declare", args=[site["own"].pk]),
        {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "80", "validate": "on"},
    )
    assert HoursEntry.objects.get(placement=site["own"], month=months_ago(1)).status == (
        HoursStatus.DECLARED
    )
    # And the services refuse a company user as a reviewer.
    before = fingerprint()
    with pytest.raises(ValidationError, match="Seule la structure de facilitation"):
        services.hours_validate(actor=lagon.user, entry=entry)
    with pytest.raises(ValidationError, match="Seule la structure de facilitation"):
        services.hours_record(
            actor=lagon.user,
            placement=site["own"],
            month=entry.month,
            hours_worked=Decimal(100),
            validate=True,
        )
    assert fingerprint() == before


def test_validated_months_are_no_longer_the_companys_to_change(lagon, site):
    validated = site["own"].hours_entries.get(status=HoursStatus.VALIDATED)
    before = fingerprint()
    response = lagon.client.post(
        reverse("company:hours_declare", args=[site["own"].pk]),
        {"month": validated.month.strftime("%Y-%m"), "hours_worked": "10"},
    )
    assert response.status_code == 200
    month = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    month = month.split(" ")[validated.month.month - 1]
    text = page_text(response)
    assert f"{month} {validated.month.year} de {site['own'].participant} est déjà validé" in text
    assert "demandez à la structure de facilitation de le rouvrir" in text
    assert fingerprint() == before
    # The very hours already validated are no change: nothing is refused, nothing moves.
    response = lagon.client.post(
        reverse("company:hours_declare", args=[site["own"].pk]),
        {
            "month": validated.month.strftime("%Y-%m"),
            "hours_worked": str(validated.hours_worked),
            "training_hours": str(validated.training_hours),
        },
    )
    assert response.status_code == 302
    assert fingerprint() == before


def test_the_company_sees_a_refused_month_and_its_reason_then_corrects_it(structure, lagon, site):
    entry = site["own"].hours_entries.get(status=HoursStatus.DECLARED)
    structure.client.post(
        reverse("inclusion:hours_reject", args=[entry.pk]), {"reason": "Feuille de temps illisible"}
    )
    home = page_text(lagon.client.get(reverse("company:home")))
    assert "Heures refusées" in home
    assert "Motif : Feuille de temps illisible" in home
    page = page_text(lagon.client.get(reverse("company:placement_detail", args=[site["own"].pk])))
    assert "Refusées" in page
    assert "Motif : Feuille de temps illisible" in page
    # The same figures again are refused; corrected ones go back to review.
    same = {"month": entry.month.strftime("%Y-%m"), "hours_worked": "100"}
    response = lagon.client.post(reverse("company:hours_declare", args=[site["own"].pk]), same)
    assert "corrigez-les avant de les déclarer de nouveau" in page_text(response)
    lagon.client.post(
        reverse("company:hours_declare", args=[site["own"].pk]), {**same, "hours_worked": "96"}
    )
    entry.refresh_from_db()
    assert entry.status == HoursStatus.DECLARED
    assert entry.total_hours == 96
    assert entry.rejection_reason == ""


# Declaring a person ---------------------------------------------------------------------


def test_a_declaration_creates_the_person_her_evidence_and_her_placement(structure, lagon, site):
    contract = site["mine"]
    response = lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]),
        declaration(contract, referred_by=""),
        follow=True,
    )
    assert "Nasra AHAMADI est déclaré(e) sur le marché" in page_text(response)
    participant = Participant.objects.get(last_name="Ahamadi")
    assert participant.facilitator == structure.organisation
    placement = participant.placements.get()
    assert placement.employer == lagon.organisation
    assert placement.contract == contract
    item = participant.criteria.get()
    assert item.status == CriterionStatus.TO_CHECK
    assert item.checked_by == lagon.user
    # The stored file has a random name: neither the person's nor the sender's file name.
    name = item.evidence_file.name
    assert re.fullmatch(r"justificatifs/[\w-]{2}/[\w-]{32}\.pdf", name), name
    assert "ahamadi" not in name.lower()
    assert "attestation" not in name
    assert Path(settings.MEDIA_ROOT, name).read_bytes() == PDF
    assert "À vérifier" in page_text(response)


def test_the_declared_criterion_reaches_the_facilitators_queue_and_the_decision_comes_back(
    structure, lagon, site
):
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    item = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    placement = item.participant.placements.get()
    queue = page_text(structure.client.get(reverse("eligibility:criteria_review")))
    assert "1 critère d'éligibilité déclaré par les employeurs" in queue
    assert "Nasra AHAMADI" in queue
    assert "chez Lagon BTP" in queue
    participant_page = page_text(
        structure.client.get(reverse("inclusion:participant_detail", args=[item.participant_id]))
    )
    assert "Bénéficiaire du RSA À vérifier" in participant_page
    assert "Confirmer" in participant_page
    assert "Refuser (motif)" in participant_page
    # Refused with a reason: the company reads it.
    response = structure.client.post(
        reverse("eligibility:criterion_refuse", args=[item.pk]),
        {"reason": "Attestation de plus de trois mois"},
        follow=True,
    )
    assert "refusé : l'employeur voit le motif" in page_text(response)
    company_page = page_text(
        lagon.client.get(reverse("company:placement_detail", args=[placement.pk]))
    )
    assert "Motif du refus : Attestation de plus de trois mois" in company_page
    assert "Refusé" in company_page
    assert "Critère refusé" in page_text(lagon.client.get(reverse("company:home")))
    # Then confirmed after all: the history keeps both decisions.
    structure.client.post(reverse("eligibility:criterion_confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == CriterionStatus.CONFIRMED
    assert item.decided_by == structure.user
    assert "Confirmé" in page_text(
        lagon.client.get(reverse("company:placement_detail", args=[placement.pk]))
    )
    actions = list(item.participant.events.values_list("action", flat=True))
    assert {"criterion_declared", "criterion_refused", "criterion_confirmed"} <= set(actions)
    assert (
        "aucun critère déclaré par un employeur n'attend"
        in page_text(structure.client.get(reverse("eligibility:criteria_review"))).lower()
    )


def test_a_refused_criterion_gets_a_new_piece_of_evidence(
    structure, lagon, rival, site, django_capture_on_commit_callbacks
):
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    item = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    placement = item.participant.placements.get()
    former = Path(settings.MEDIA_ROOT, item.evidence_file.name)
    structure.client.post(
        reverse("eligibility:criterion_refuse", args=[item.pk]), {"reason": "Illisible"}
    )
    url = reverse("company:criterion_resubmit", args=[placement.pk, item.pk])
    home = lagon.client.get(reverse("company:home"))
    assert f"{reverse('company:placement_detail', args=[placement.pk])}#eligibilite" in (
        home.content.decode()
    )
    # Another company cannot answer for Lagon.
    before = fingerprint()
    assert (
        rival.client.post(url, {"evidence_file": SimpleUploadedFile("a.png", PNG)}).status_code
        == 404
    )
    # A file of the wrong kind is refused in French, and nothing changes.
    response = lagon.client.post(
        url, {"evidence_file": SimpleUploadedFile("a.pdf", b"texte")}, follow=True
    )
    assert "n'est pas un PDF, JPEG ou PNG" in page_text(response)
    assert fingerprint() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = lagon.client.post(
            url, {"evidence_file": SimpleUploadedFile("scan.png", PNG)}, follow=True
        )
    assert "Nouveau justificatif envoyé pour « Bénéficiaire du RSA »" in page_text(response)
    item.refresh_from_db()
    assert item.status == CriterionStatus.TO_CHECK
    assert item.refusal_reason == ""
    assert item.decided_by is None
    assert item.evidence_file.name.endswith(".png")
    assert not former.exists()
    assert "Nasra AHAMADI" in page_text(
        structure.client.get(reverse("eligibility:criteria_review"))
    )


def test_criteria_the_facilitator_records_are_confirmed_at_once(structure, lagon, site):
    participant = site["own"].participant
    own = services.criterion_set(
        actor=structure.user,
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code="qpv_resident"),
        evidence="Justificatif de domicile",
        checked_on=months_ago(1),
    )
    assert own.status == CriterionStatus.CONFIRMED
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    declared = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    # Recording it again from the facilitator's page means the facilitator checked it.
    renewed = services.criterion_set(
        actor=structure.user,
        participant=declared.participant,
        criterion=declared.criterion,
        evidence="Attestation CAF vue au guichet",
        checked_on=months_ago(0),
    )
    assert renewed.status == CriterionStatus.CONFIRMED
    assert renewed.decided_by == structure.user
    assert renewed.evidence_file.name == declared.evidence_file.name


def test_a_refusal_needs_a_reason(structure, lagon, site):
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    item = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    response = structure.client.post(
        reverse("eligibility:criterion_refuse", args=[item.pk]), {"reason": " "}, follow=True
    )
    assert "Indiquez le motif du refus." in page_text(response)
    item.refresh_from_db()
    assert item.status == CriterionStatus.TO_CHECK


def test_only_the_structure_that_follows_the_person_decides(
    structure, other_structure, lagon, site
):
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    item = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    before = fingerprint()
    for client in (other_structure.client, lagon.client):
        for name in ("criterion_confirm", "criterion_refuse"):
            url = reverse(f"eligibility:{name}", args=[item.pk])
            assert client.post(url, {"reason": "Non"}).status_code == 404
    with pytest.raises(ValidationError):
        services.criterion_confirm(actor=lagon.user, item=item)
    assert fingerprint() == before
    assert "AHAMADI" not in page_text(
        other_structure.client.get(reverse("eligibility:criteria_review"))
    )


@pytest.mark.parametrize(
    ("content", "file_name", "message"),
    [
        (b"Bonjour, ceci est un texte.", "attestation.pdf", "n'est pas un PDF, JPEG ou PNG"),
        (b"MZ\x90\x00\x03", "programme.exe", "n'est pas un PDF, JPEG ou PNG"),
        (b"", "vide.pdf", "Le fichier soumis est vide."),
        (
            b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024),
            "gros.pdf",
            "Le fichier pèse 5,0 Mo : 5 Mo au plus.",
        ),
    ],
)
def test_evidence_files_are_checked_for_type_and_size(lagon, site, content, file_name, message):
    contract = site["mine"]
    before = fingerprint()
    data = declaration(contract)
    data[rsa_field()] = SimpleUploadedFile(file_name, content)
    response = lagon.client.post(reverse("company:participant_declare", args=[contract.pk]), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert fingerprint() == before
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.exe"))


@pytest.mark.parametrize(("content", "extension"), [(PNG, "png"), (JPEG, "jpg"), (PDF, "pdf")])
def test_pdf_jpeg_and_png_are_accepted(lagon, site, content, extension):
    contract = site["mine"]
    data = declaration(contract)
    data[rsa_field()] = SimpleUploadedFile("scan", content)
    response = lagon.client.post(reverse("company:participant_declare", args=[contract.pk]), data)
    assert response.status_code == 302
    item = ParticipantCriterion.objects.get(participant__last_name="Ahamadi")
    assert item.evidence_file.name.endswith(f".{extension}")


def test_a_declaration_needs_a_criterion_with_its_evidence(lagon, site):
    contract = site["mine"]
    url = reverse("company:participant_declare", args=[contract.pk])
    before = fingerprint()
    data = declaration(contract)
    del data[rsa_field("criterion")]
    del data[rsa_field()]
    response = lagon.client.post(url, data)
    assert "Cochez au moins un critère d'éligibilité et joignez son justificatif." in page_text(
        response
    )
    data = declaration(contract)
    del data[rsa_field()]
    assert "Joignez le justificatif de ce critère." in page_text(lagon.client.post(url, data))
    data = declaration(contract)
    del data[rsa_field("criterion")]
    assert "Cochez le critère que ce justificatif prouve" in page_text(lagon.client.post(url, data))
    assert fingerprint() == before


def test_a_declaration_outside_the_contract_loses_nothing_and_keeps_no_file(lagon, site):
    contract = site["mine"]
    before = fingerprint()
    files_before = set(Path(settings.MEDIA_ROOT).rglob("*.*"))
    late = (contract.execution_end + datetime.timedelta(days=10)).isoformat()
    response = lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]),
        declaration(contract, start_date=late),
    )
    assert "Le début doit tomber dans la période d'exécution du marché" in page_text(response)
    assert fingerprint() == before
    assert set(Path(settings.MEDIA_ROOT).rglob("*.*")) == files_before


def test_the_declaration_offers_the_networks_prescribers_and_no_identity_number(
    structure, lagon, site
):
    prescriber = OrganisationFactory(
        network=structure.organisation.network,
        kind="prescriber",
        prescriber_kind="mission_locale",
        name="Mission locale de Mayotte",
    )
    response = lagon.client.get(reverse("company:participant_declare", args=[site["mine"].pk]))
    text = page_text(response)
    assert prescriber.name in text
    assert "sécurité sociale" in text  # the warning, never a field
    assert "nir" not in re.findall(r'name="([^"]+)"', response.content.decode())


def test_the_job_picker_of_the_company_space(lagon, buyer_client):
    response = lagon.client.get(reverse("company:job_search"), {"q": "maçon"})
    assert response.status_code == 200
    assert "Maçon" in response.content.decode()
    assert buyer_client.get(reverse("company:job_search"), {"q": "maçon"}).status_code == 404


# Evidence files -------------------------------------------------------------------------


@pytest.fixture
def evidence(lagon, site) -> ParticipantCriterion:  # type: ignore[no-untyped-def]
    contract = site["mine"]
    lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]), declaration(contract)
    )
    return ParticipantCriterion.objects.get(participant__last_name="Ahamadi")


def test_evidence_is_served_to_the_facilitator_and_the_company_only(
    structure, other_structure, lagon, rival, evidence, client
):
    url = reverse("eligibility:evidence_file", args=[evidence.pk])
    for allowed in (structure.client, lagon.client):
        response = allowed.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
    for refused in (other_structure.client, rival.client):
        assert refused.get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    # Never a public media url.
    assert client.get(f"/{settings.MEDIA_URL}{evidence.evidence_file.name}").status_code in (
        302,
        404,
    )
    assert lagon.client.get(f"/{settings.MEDIA_URL}{evidence.evidence_file.name}").status_code == (
        404
    )


def test_the_facilitators_own_records_stay_with_the_facilitator(structure, lagon, site):
    """A criterion the facilitator recorded is not shown to the employer."""
    participant = site["own"].participant
    services.criterion_set(
        actor=structure.user,
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code="rqth"),
        evidence="Décision MDPH",
        checked_on=months_ago(1),
    )
    page = page_text(lagon.client.get(reverse("company:placement_detail", args=[site["own"].pk])))
    assert "RQTH" not in page
    assert not selectors.company_criteria_visible_to(scope_for(lagon.user)).exists()


# Queries --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _contracts(structure, company: Company, count: int) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        contract = open_contract(
            structure.organisation, awarded_company=company.organisation, hours=400
        )
        hire(
            contract,
            company.organisation,
            f"Salarie{index}",
            ((3, HoursStatus.VALIDATED, 100), (2, HoursStatus.REJECTED, 90)),
        )


def test_the_company_home_makes_as_many_queries_for_20_contracts_as_for_2(
    structure, lagon, django_assert_max_num_queries
):
    url = reverse("company:home")
    _contracts(structure, lagon, 2)
    few = _queries(lagon.client, url)
    assert few <= 20
    _contracts(structure, lagon, 18)
    with django_assert_max_num_queries(few):
        response = lagon.client.get(url)
    assert "8 000 h exigées par vos 20 marchés" in page_text(response)


def test_the_contract_page_makes_as_many_queries_for_12_people_as_for_1(
    structure, lagon, django_assert_max_num_queries
):
    contract = open_contract(structure.organisation, awarded_company=lagon.organisation)
    url = reverse("company:contract_detail", args=[contract.pk])
    hire(contract, lagon.organisation, "Premier")
    few = _queries(lagon.client, url)
    for index in range(11):
        hire(
            contract,
            lagon.organisation,
            f"Suivant{index}",
            ((2, "validated", 10), (1, "declared", 5)),
        )
    with django_assert_max_num_queries(few):
        response = lagon.client.get(url)
    assert "SUIVANT10" in page_text(response)


def test_the_placement_page_makes_as_many_queries_for_6_months_as_for_1(
    structure, lagon, django_assert_max_num_queries
):
    contract = open_contract(structure.organisation, awarded_company=lagon.organisation)
    placement = hire(contract, lagon.organisation, "Mois")
    url = reverse("company:placement_detail", args=[placement.pk])
    few = _queries(lagon.client, url)
    for ago in (1, 3, 4, 5, 6):
        HoursEntryFactory(placement=placement, month=months_ago(ago), hours_worked=Decimal(50))
    with django_assert_max_num_queries(few):
        lagon.client.get(url)


def test_the_review_queue_makes_as_many_queries_for_10_criteria_as_for_1(
    structure, lagon, django_assert_max_num_queries
):
    contract = open_contract(structure.organisation, awarded_company=lagon.organisation)
    url = reverse("eligibility:criteria_review")

    def declare(last_name: str) -> None:
        response = lagon.client.post(
            reverse("company:participant_declare", args=[contract.pk]),
            declaration(contract, last_name=last_name),
        )
        assert response.status_code == 302

    declare("Un")
    few = _queries(structure.client, url)
    for index in range(9):
        declare(f"Autre{index}")
    with django_assert_max_num_queries(few):
        response = structure.client.get(url)
    assert "10 critères d'éligibilité déclarés" in page_text(response)


def test_a_declared_person_needs_a_plausible_birth_date_and_postal_code(structure, lagon, site):
    contract = site["mine"]
    born = datetime.date(timezone.localdate().year - 90, 1, 1)  # 90 years old this year
    response = lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]),
        declaration(contract, referred_by="", birth_date=born.isoformat()),
    )
    assert (
        f"Un participant a au plus 80 ans : la personne née le {born:%d/%m/%Y} en aurait 90."
        in page_text(response)
    )
    assert not Participant.objects.filter(last_name="Ahamadi").exists()
    response = lagon.client.post(
        reverse("company:participant_declare", args=[contract.pk]),
        declaration(contract, referred_by="", postal_code="96100"),
    )
    assert "Le code postal 96100 n'existe pas" in page_text(response)
    assert not Participant.objects.filter(last_name="Ahamadi").exists()
