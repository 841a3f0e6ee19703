"""The recruitment flow in a real browser, one tab per person: the company posts a need,
the facilitator publishes it, a prescriber refers a candidate, the company hires them once
the facilitator has shortlisted them, and the facilitator finds the new placement."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import sign_in
from tests.factories import (
    ContractFactory,
    FacilitatorFactory,
    NetworkFactory,
    PrescriberFactory,
    member_of,
)
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.organisations.models import User
from tremplin.procurement.models import Contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACTORY_PASSWORD = "motdepasse-solide"
JOB = "Maçon / Maçonne"
PRESCRIBER = "France Travail Mamoudzou"


@dataclass
class Territory:
    contract: Contract
    facilitator: User
    company: User
    prescriber: User


@pytest.fixture
def territory() -> Territory:
    network = NetworkFactory(name="Réseau de Mayotte", slug="mayotte", accept_all_criteria=False)
    network.eligibility_criteria.set(EligibilityCriterion.objects.filter(code="rsa"))
    facilitator = FacilitatorFactory(network=network, name="CRESS de Mayotte")
    today = datetime.date.today()
    contract = ContractFactory(
        facilitator=facilitator,
        reference="2026-LYC-01",
        title="Extension du lycée de Sada",
        awarded_company__name="Lagon BTP",
        execution_start=today - datetime.timedelta(days=60),
        execution_end=today + datetime.timedelta(days=400),
        hours=700,
    )
    prescriber = PrescriberFactory(network=network, name=PRESCRIBER, area_departments="976")
    return Territory(
        contract=contract,
        facilitator=member_of(facilitator, email="facilitatrice@cress.fr"),
        company=member_of(contract.awarded_company, email="rh@lagon-btp.fr"),
        prescriber=member_of(prescriber, email="conseillere@francetravail.fr"),
    )


@pytest.fixture
def signed_in(browser, live_server) -> Iterator[Callable[[User], Page]]:  # type: ignore[no-untyped-def]
    """A tab of its own for each person, so that nobody's session leaks into another's."""
    contexts = []

    def open_as(user: User) -> Page:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, user.email, FACTORY_PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


def bell(page: Page) -> Locator:
    return page.get_by_role("link", name=re.compile(r"^Notifications"))


def test_a_need_goes_from_the_company_to_a_hire_the_facilitator_follows(territory, signed_in):
    start = datetime.date.today() + datetime.timedelta(days=21)
    company = signed_in(territory.company)
    facilitator = signed_in(territory.facilitator)
    prescriber = signed_in(territory.prescriber)

    # 1. The company posts its need and hands it to the facilitator.
    company.get_by_role("link", name="Recrutements", exact=True).click()
    company.get_by_role("link", name="Nouveau besoin").click()
    contract = territory.contract
    company.get_by_label("Marché", exact=True).select_option(
        label=f"2026-LYC-01 — Extension du lycée de Sada "
        f"(du {contract.execution_start:%d/%m/%Y} au {contract.execution_end:%d/%m/%Y})"
    )
    # The contract's only employer is filled in for the company.
    expect(company.get_by_label("Employeur")).to_have_value(str(contract.awarded_company_id))
    company.get_by_label("Rechercher le poste").fill("maçon")
    job = company.get_by_label("Poste (appellation ROME)")
    expect(job.get_by_role("option", name=f"{JOB} (F1703)", exact=True)).to_be_attached()
    job.select_option(label=f"{JOB} (F1703)")
    company.get_by_label("Nombre de postes").fill("2")
    company.get_by_label("Type de contrat").select_option(label="CDD")
    company.get_by_label("Date de début").fill(start.isoformat())
    company.get_by_label("Durée (mois)").fill("6")
    company.get_by_label("Heures par semaine").fill("35")
    company.get_by_label("Lieu de travail").fill("Sada")
    company.get_by_label("Code postal").fill("97640")
    company.get_by_label("Bénéficiaire du RSA").check()
    company.get_by_role("button", name="Enregistrer le brouillon").click()

    expect(company.get_by_role("heading", level=1)).to_contain_text(JOB)
    expect(company.get_by_text("Brouillon", exact=True)).to_be_visible()
    company.get_by_role("button", name="Transmettre au facilitateur").click()
    expect(company.get_by_role("alert")).to_contain_text("Le besoin est transmis au facilitateur")
    need_url = company.url

    # 2. The facilitator is told by its bell, opens the need and publishes it.
    facilitator.reload()
    expect(bell(facilitator)).to_contain_text("1 non lue")
    bell(facilitator).click()
    facilitator.get_by_role("link", name=re.compile(r"^Besoin de recrutement à publier")).click()
    expect(facilitator).to_have_url(need_url)
    expect(facilitator.get_by_text("Bénéficiaire du RSA")).to_be_visible()
    facilitator.get_by_role("button", name="Publier aux prescripteurs").click()
    expect(facilitator.get_by_text("Le besoin est publié aux prescripteurs")).to_be_visible()

    # 3. The prescriber of the island finds the offer and refers a candidate.
    prescriber.reload()
    expect(bell(prescriber)).to_contain_text("1 non lue")
    bell(prescriber).click()
    expect(prescriber.get_by_text(f"Nouvelle offre sur votre territoire : {JOB}")).to_be_visible()
    prescriber.get_by_role("button", name="Tout marquer comme lu").click()
    expect(bell(prescriber)).not_to_contain_text("non lue")
    prescriber.get_by_role("link", name="Recrutements", exact=True).click()
    offers = prescriber.get_by_role("region", name="Offres de votre territoire")
    expect(offers.get_by_text("Lagon BTP · Sada (97640)")).to_be_visible()
    offers.get_by_role("link", name=JOB).click()
    prescriber.get_by_role("link", name="Proposer un candidat").first.click()
    prescriber.get_by_label("Prénom").fill("Roukia")
    prescriber.get_by_label("Nom", exact=True).fill("Soilihi")
    prescriber.get_by_label("Date de naissance").fill("1994-04-12")
    prescriber.get_by_label("Femme").check()
    prescriber.get_by_label("Bénéficiaire du RSA").check()
    prescriber.get_by_label("Votre avis sur la candidature").fill(
        "Six ans de chantier aux Comores, sérieuse et ponctuelle."
    )
    prescriber.get_by_role("button", name="Proposer la candidature").click()
    expect(prescriber.get_by_role("heading", level=1)).to_contain_text("Roukia SOILIHI")
    expect(prescriber.get_by_text("Proposé", exact=True).first).to_be_visible()

    # 4. The company only learns that someone is being examined, not who.
    company.goto(need_url)
    expect(company.get_by_role("status").filter(has_text="en cours d'examen")).to_contain_text(
        "1 candidature en cours d'examen par le facilitateur"
    )
    expect(company.get_by_text("Roukia")).to_have_count(0)

    # 5. The facilitator shortlists the candidate.
    facilitator.goto(need_url)
    facilitator.get_by_role("button", name="Présélectionner : Roukia SOILIHI").click()
    expect(
        facilitator.get_by_text("Candidature de Roukia SOILIHI : présélectionné")
    ).to_be_visible()

    # The prescriber is told of the new stage by its bell.
    prescriber.reload()
    expect(bell(prescriber)).to_contain_text("1 non lue")
    bell(prescriber).click()
    expect(
        prescriber.get_by_role("link", name="Candidature de Roukia S. : présélectionnée")
    ).to_be_visible()

    # 6. The company now sees « Roukia S. », interviews her and hires her.
    company.reload()
    candidates = company.get_by_role("table", name="Candidatures sur ce besoin")
    expect(candidates.get_by_role("link", name="Roukia S.", exact=True)).to_be_visible()
    expect(company.get_by_text("Soilihi", exact=False)).to_have_count(0)
    company.get_by_role("button", name="Passer en entretien : Roukia S.").click()
    expect(candidates.get_by_text("En entretien", exact=True)).to_be_visible()
    company.get_by_role("button", name="Recruter Roukia S.").click()
    company.get_by_label("Date d'embauche de Roukia S.").fill(start.isoformat())
    company.get_by_role("button", name="Enregistrer le recrutement").click()
    expect(company.get_by_text("Roukia S. est recruté(e)")).to_be_visible()
    expect(candidates.get_by_text("Recruté", exact=True)).to_be_visible()
    expect(company.get_by_text("1 / 2")).to_be_visible()

    # 7. The facilitator finds the new placement on the contract, then her pathway.
    facilitator.get_by_role("link", name="Marchés", exact=True).click()
    facilitator.get_by_role("link", name="2026-LYC-01", exact=True).click()
    placements = facilitator.get_by_role("table", name="Participants mis en emploi sur ce marché")
    row = placements.get_by_role("row").filter(has_text="Roukia SOILIHI")
    expect(row).to_contain_text(JOB)
    expect(row).to_contain_text("Lagon BTP")
    expect(row).to_contain_text(start.strftime("%d/%m/%Y"))
    row.get_by_role("link", name="Roukia SOILIHI").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Roukia SOILIHI")
    pathway = facilitator.get_by_role("region", name="Parcours", exact=True)
    expect(pathway).to_contain_text(f"Candidature proposée par {PRESCRIBER} — {JOB} chez Lagon BTP")
    expect(pathway).to_contain_text("Candidature chez Lagon BTP : recruté")
