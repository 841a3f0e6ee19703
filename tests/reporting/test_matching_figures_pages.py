"""Figures of hiring needs, referrals and pathways on the facilitator's and the
coordinator's dashboards: the right numbers, each structure's own, linked to their rows."""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Structure
from tests.factories import (
    ContractFactory,
    HiringNeedFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    PrescriberFactory,
    ReferralFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.enums import OutcomeMoment, OutcomeSituation
from tremplin.inclusion.models import EligibilityCriterion, Participant, ParticipantCriterion
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting.matching_selectors import (
    facilitator_matching_figures,
    network_matching_figures,
)

pytestmark = pytest.mark.django_db

REFERRALS = "/recrutements/candidatures/"
NEEDS = "/recrutements/"


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def page(client: Client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def card(text: str, name: str) -> str:
    """The text of the figure card ``name``, tags removed."""
    fragment = text.split(f'data-figure="{name}">')[1].split("<details")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def row_of(text: str, name: str) -> str:
    return text.split(name)[1].split("</tr>")[0]


def numbers(fragment: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="num[^"]*">(.*?)</td>', fragment)
    ]


def need(contract: Contract, *, published: int, filled: int | None = None, **fields) -> HiringNeed:  # type: ignore[no-untyped-def]
    """A need published ``published`` days ago, filled ``filled`` days ago if given."""
    if filled is not None:
        fields.update(status="filled", filled_at=days_ago(filled))
    return HiringNeedFactory(contract=contract, published_at=days_ago(published), **fields)


def refer(  # type: ignore[no-untyped-def]
    need: HiringNeed,
    prescriber: Organisation,
    status: str = "referred",
    *,
    created: int = 50,
    changed: int = 40,
    **fields,
) -> Referral:
    if status == "hired" and "participant" not in fields:
        fields["participant"] = ParticipantFactory(facilitator=need.contract.facilitator)
    if status == "not_retained":
        fields["refusal_reason"] = "Profil éloigné du poste"
    referral = ReferralFactory(need=need, prescriber=prescriber, status=status, **fields)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=days_ago(created), status_changed_at=days_ago(changed)
    )
    return referral


def holds(participant: Participant, code: str) -> None:
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code=code),
        evidence="Attestation CAF",
        checked_on=timezone.localdate(),
    )


def six_months(contract: Contract, situation: str, *, observed: int) -> None:
    observed_on = timezone.localdate() - datetime.timedelta(days=observed)
    OutcomeFactory(
        placement=PlacementFactory(contract=contract),
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=observed_on - datetime.timedelta(days=183),
        observed_on=observed_on,
        situation=situation,
    )


@dataclass
class Matching:
    contract: Contract
    france_travail: Organisation
    mission_locale: Organisation
    other_prescriber: Organisation


@pytest.fixture
def matching(structure: Structure, other_structure: Structure) -> Matching:
    """The structure: three needs filled in the last months in 10, 20 and 40 days, one
    filled two years ago in 100 days, one open with 3 posts; two hires out of four
    referrals, one by an RSA beneficiary; two six-month situations (one a durable job)
    and one exit still to follow up. The other structure: one hire, one durable job."""
    network = structure.organisation.network
    contract = ContractFactory(facilitator=structure.organisation)
    france_travail = PrescriberFactory(network=network, name="France Travail Mamoudzou")
    mission_locale = PrescriberFactory(network=network, name="Mission locale de Mayotte")

    first = need(contract, published=110, filled=100)
    need(contract, published=100, filled=80)
    need(contract, published=90, filled=50)
    old = need(contract, published=800, filled=700)
    open_need = need(contract, published=60, positions=3)

    hired = refer(first, france_travail, "hired")
    holds(hired.participant, "rsa")
    refer(first, france_travail, "not_retained")
    refer(open_need, france_travail)
    vouched = refer(open_need, mission_locale, "hired")
    vouched.vouched_criteria.add(EligibilityCriterion.objects.get(code="rqth"))
    refer(old, france_travail, "hired", created=700, changed=700)

    six_months(contract, OutcomeSituation.DURABLE_CDI, observed=30)
    six_months(contract, OutcomeSituation.JOB_SEEKING, observed=60)
    six_months(contract, OutcomeSituation.DURABLE_CDI, observed=900)  # before the period
    exit_date = timezone.localdate() - datetime.timedelta(days=240)
    OutcomeFactory(
        placement=PlacementFactory(contract=contract), exit_date=exit_date, observed_on=exit_date
    )

    other_contract = ContractFactory(facilitator=other_structure.organisation)
    other_prescriber = PrescriberFactory(network=network, name="Mission locale Sud")
    refer(need(other_contract, published=30, filled=10), other_prescriber, "hired")
    six_months(other_contract, OutcomeSituation.BUSINESS_CREATION, observed=20)
    return Matching(contract, france_travail, mission_locale, other_prescriber)


# --- The facilitator -----------------------------------------------------------------


def test_the_facilitator_sees_the_time_to_fill_and_the_open_needs(structure, matching):
    text = page(structure.client)

    assert "Recrutements et parcours" in text
    assert card(text, "time-to-fill") == (
        "20 jours délai médian pour pourvoir un besoin 3 besoins pourvus · délai moyen : 23 jours"
    )
    filled = unescape(re.search(rf'href="({NEEDS}\?statut=filled&[^"]+)"', text).group(1))
    assert "pourvu_du=" in filled
    # The link opens the very needs the delay is computed on.
    assert "3 besoins, pourvus du" in structure.client.get(filled).content.decode()
    assert card(text, "open-needs").startswith("1 besoin publié en attente de candidats")
    assert "2 postes à pourvoir aujourd'hui" in card(text, "open-needs")
    assert f'href="{NEEDS}?statut=published"' in text


def test_the_facilitator_sees_the_posts_filled_by_rsa_beneficiaries_and_each_public(
    structure, matching
):
    text = page(structure.client)

    rsa = card(text, "rsa-share")
    assert rsa.startswith("50 % des postes pourvus par des bénéficiaires du RSA")
    assert "1 recrutement sur 2" in rsa
    assert f'href="{REFERRALS}?etape=hired"' in text
    publics = text.split("data-publics")[1].split("</table>")[0]
    assert numbers(row_of(publics, "Bénéficiaire du RSA")) == ["1", "50 %"]
    assert numbers(row_of(publics, "Travailleur handicapé reconnu (RQTH)")) == ["1", "50 %"]
    assert "longue durée" not in publics  # no hire of that public: no row
    assert "compte dans chacun" in publics


def test_the_facilitator_sees_referrals_and_hires_per_prescriber_linked_to_them(
    structure, matching
):
    text = page(structure.client)

    table = text.split("data-prescribers")[1].split("</table>")[0]
    # Candidatures, proposé, présélectionné, en entretien, recruté, non retenu, taux.
    france_travail = row_of(table, "France Travail Mamoudzou")
    assert numbers(france_travail) == ["3", "1", "0", "0", "1", "1", "33 %"]
    assert numbers(row_of(table, "Mission locale de Mayotte")) == [
        *["1", "0", "0", "0", "1", "0", "100 %"]
    ]
    assert numbers(row_of(table, "Total")) == ["4", "1", "0", "0", "2", "1", "50 %"]
    pk = matching.france_travail.pk
    links = {
        number: unescape(href)
        for href, number in re.findall(r'<a href="([^"]+)">(\d+)</a>', france_travail)
    }
    assert links["3"].startswith(f"{REFERRALS}?du=")
    assert f"&prescripteur={pk}" in links["3"]
    assert links["1"].endswith("&etape=hired") or links["1"].endswith("&etape=not_retained")
    # Each figure opens the very rows it counts: the prescriber's referrals of the period.
    listed = structure.client.get(links["3"]).content.decode()
    assert "3 candidatures" in listed
    # France Travail proposed first, so its row comes before at an equal number of hires.
    assert table.index("France Travail") < table.index("Mission locale de Mayotte")


def test_a_structure_never_sees_another_structures_referrals(structure, other_structure, matching):
    text = page(structure.client)
    assert "Mission locale Sud" not in text

    other = page(other_structure.client)
    assert "Mission locale Sud" in other
    assert "France Travail Mamoudzou" not in other
    assert "Mission locale de Mayotte" not in other
    assert card(other, "rsa-share").startswith("0 %")


def test_the_facilitator_sees_durable_jobs_at_six_months_and_those_to_record(structure, matching):
    text = page(structure.client)

    durable = card(text, "durable-job")
    assert durable.startswith("50 % en emploi durable 6 mois après la sortie")
    assert "1 personne sur 2 dont la situation à 6 mois est saisie" in durable
    assert "1 sortie dont la situation à 6 mois reste à saisir" in durable
    assert f'href="{reverse("inclusion:outcomes_due")}"' in text


def test_every_figure_says_how_it_is_computed(structure, matching):
    text = page(structure.client)
    section = text.split("data-matching-figures")[1].split("</section>")[0]
    assert section.count("Comment est-ce calculé ?") == 6


def test_without_any_need_the_figures_show_a_dash(structure):
    text = page(structure.client)

    assert card(text, "time-to-fill").startswith("— délai médian")
    assert card(text, "durable-job").startswith("— en emploi durable")
    assert "Aucune candidature proposée dans la période." in text
    assert "Aucun recrutement par une candidature dans la période." in text


@pytest.mark.parametrize("size", [1, 20])
def test_the_figures_take_a_constant_number_of_queries(
    structure, size, django_assert_max_num_queries
):
    contract = ContractFactory(facilitator=structure.organisation)
    prescriber = PrescriberFactory(network=structure.organisation.network)
    for index in range(size):
        filled = need(contract, published=60, filled=60 - index)
        hired = refer(filled, prescriber, "hired")
        holds(hired.participant, "rsa")
        refer(filled, PrescriberFactory(network=prescriber.network))
        six_months(contract, OutcomeSituation.DURABLE_CDI, observed=10 + index)
    scope = scope_for(structure.user)

    with django_assert_max_num_queries(7):
        figures = facilitator_matching_figures(scope, today=timezone.localdate())

    assert figures is not None
    assert figures.time_to_fill.filled == figures.publics.hires == size
    assert len(figures.prescribers) == size + 1


# --- The coordinator -----------------------------------------------------------------


def test_the_coordinator_sees_the_networks_figures_as_counts_only(network, matching):
    client = Client()
    client.force_login(coordinator_of(network))

    text = page(client, reverse("reporting:network_dashboard"))

    assert card(text, "time-to-fill").startswith("20 jours")  # 10, 20, 20, 40 days
    assert "4 besoins pourvus" in card(text, "time-to-fill")
    rsa = card(text, "rsa-share")
    assert rsa.startswith("33 %")
    assert "1 recrutement sur 3" in rsa
    durable = card(text, "durable-job")
    assert durable.startswith("67 %")
    assert "2 personnes sur 3" in durable
    table = text.split("data-prescribers")[1].split("</table>")[0]
    assert numbers(row_of(table, "Mission locale Sud")) == ["1", "0", "0", "0", "1", "0", "100 %"]
    # Candidates and participants are named on those lists: no link for a coordinator.
    assert REFERRALS not in text
    assert reverse("inclusion:outcomes_due") not in text
    assert f'href="{NEEDS}?statut=filled&pourvu_du=' in text


def test_the_coordinator_year_filter_applies_to_the_figures(network, matching):
    client = Client()
    client.force_login(coordinator_of(network))
    year = days_ago(700).year

    text = page(client, f"{reverse('reporting:network_dashboard')}?annee={year}")

    assert card(text, "time-to-fill").startswith("100 jours")
    assert f"en {year}, du 01/01/{year} au 31/12/{year}" in text
    table = text.split("data-prescribers")[1].split("</table>")[0]
    assert numbers(row_of(table, "Total")) == ["1", "0", "0", "0", "1", "0", "100 %"]


# --- Who does not see them -----------------------------------------------------------


def test_buyers_companies_and_prescribers_do_not_see_the_figures(matching):
    contract = matching.contract
    for organisation in (contract.buyer, contract.awarded_company, matching.france_travail):
        client = Client()
        client.force_login(member_of(organisation))
        response = client.get("/", follow=True)
        assert response.status_code == 200
        assert "data-matching-figures" not in response.content.decode()
        assert "Recrutements et parcours" not in response.content.decode()


def test_the_selectors_give_nothing_outside_the_scope(network, structure, matching):
    buyer = scope_for(member_of(matching.contract.buyer))
    assert facilitator_matching_figures(buyer, today=timezone.localdate()) is None
    assert (
        network_matching_figures(scope_for(structure.user), network, today=timezone.localdate())
        is None
    )
