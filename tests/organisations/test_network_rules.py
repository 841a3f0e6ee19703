"""The rules a network shares: facilitators read them, coordinators change them and the
change is kept in the network's history."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    HoursEntryFactory,
    NetworkFactory,
    PlacementFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.organisations import services
from tremplin.organisations.models import Network, NetworkEvent

pytestmark = pytest.mark.django_db

RULES_URL = reverse("organisations:network_rules")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(response.content.decode()))


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def rules_url(network, **params: str) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{key}={value}" for key, value in {"reseau": network.slug, **params}.items())
    return f"{RULES_URL}?{query}"


def criteria() -> list[EligibilityCriterion]:
    return list(EligibilityCriterion.objects.order_by("position"))


def form_data(network, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the edit form posts when nothing is changed, with ``changes`` applied."""
    data: dict[str, object] = {
        "hours_per_fte": network.hours_per_fte,
        "default_hourly_cost": "30",
        "default_labour_share": "40",
        "default_insertion_rate": "5",
        "time_zone": network.time_zone,
        "publishes_open_data": "on" if network.publishes_open_data else "",
        "eligibility_criteria": [criterion.pk for criterion in network.eligibility_criteria.all()],
    }
    data.update(changes)
    return data


@pytest.fixture
def coordinator(network) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(coordinator_of(network))


@pytest.fixture
def mayotte(network):  # type: ignore[no-untyped-def]
    """The test network with Mayotte's rules and a part of the reference list."""
    network.hours_per_fte = 1820
    network.time_zone = "Indian/Mayotte"
    network.save()
    network.eligibility_criteria.set(criteria()[:3])
    return network


# Reading the rules ------------------------------------------------------------------------------


def test_facilitators_see_the_rules_of_their_network(structure, mayotte):
    response = structure.client.get(RULES_URL)

    assert response.status_code == 200
    page = text(response)
    assert "<h1" in page
    assert f"Règles du réseau — {mayotte.name}" in page
    assert "1 820 h par ETP" in page
    assert "1 607 h</strong> : durée légale annuelle du travail" in page
    assert "35 h × 52 semaines" in page
    assert "258 000 h = 141 ETP" in page
    assert re.search(r'data-rule="default_hourly_cost">30 €<', page)
    assert re.search(r'data-rule="default_labour_share">40 %<', page)
    assert re.search(r'data-rule="default_insertion_rate">5 %<', page)
    assert "un marché de 1 000 000 € porte 667 h" in page  # 1 000 000 × 40 % × 5 % ÷ 30
    assert 'data-rule="time_zone">Indian/Mayotte<' in page
    assert "UTC+3" in page
    accepted, refused = criteria()[:3], criteria()[3:]
    for criterion in accepted:
        row = page.split(f'data-criterion="{criterion.code}"')[1].split("</tr>")[0]
        assert criterion.label in row
        assert criterion.evidence_hint in row
        validity = (
            f"{criterion.validity_months} mois" if criterion.validity_months else "Sans limite"
        )
        assert validity in row
    for criterion in refused:
        assert f'data-criterion="{criterion.code}"' not in page
    # Read only.
    assert "Modifier les règles" not in page
    assert '<form method="post"' not in page.split("<main")[1].split("</main>")[0]


def test_facilitators_find_the_rules_from_their_dashboard(structure):
    page = text(structure.client.get("/"))

    network = structure.organisation.network
    assert f'href="{RULES_URL}?reseau={network.slug}"' in page
    assert "Règles du réseau" in page


def test_coordinators_find_the_rules_from_the_network_dashboard(network, coordinator):
    page = text(coordinator.get(reverse("reporting:network_dashboard")))

    assert f'href="{RULES_URL}?reseau={network.slug}"' in page


def test_the_rules_are_hidden_from_other_networks_and_other_kinds(structure, network):
    elsewhere = NetworkFactory(name="Autre réseau", slug="autre")
    outsider = logged_in(coordinator_of(elsewhere))
    buyer = logged_in(member_of(ContractFactory(facilitator=structure.organisation).buyer))

    assert outsider.get(rules_url(network)).status_code == 404
    assert buyer.get(RULES_URL).status_code == 404
    assert structure.client.get(rules_url(elsewhere)).status_code == 404
    # Without a network named, the coordinator sees their own.
    assert "Règles du réseau — Autre réseau" in text(outsider.get(RULES_URL))


def test_the_page_queries_do_not_grow_with_the_history(network, coordinator):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert coordinator.get(rules_url(network)).status_code == 200
        return len(captured)

    services.network_update_rules(actor=None, network=network, hours_per_fte=1700)
    few = queries()
    for hours in range(1701, 1711):
        services.network_update_rules(actor=None, network=network, hours_per_fte=hours)

    assert queries() == few


# Changing the rules -----------------------------------------------------------------------------


def test_coordinators_open_the_form_with_the_current_rules(network, coordinator):
    page = text(coordinator.get(rules_url(network)))
    assert "Modifier les règles" in page

    page = text(coordinator.get(rules_url(network, modifier="1")))

    assert 'name="hours_per_fte" value="1607"' in page
    assert 'name="default_labour_share" value="40"' in page
    assert 'name="default_insertion_rate" value="5"' in page
    assert '<option value="Europe/Paris" selected>' in page
    assert page.count('type="checkbox" name="eligibility_criteria"') == len(criteria())
    # The accepted publics, and the open-data switch (on by default).
    assert page.count("checked") == network.eligibility_criteria.count() + 1
    assert 'name="publishes_open_data"' in page


def test_coordinators_change_the_rules_and_the_change_is_recorded(network):
    network.eligibility_criteria.set(criteria()[:2])
    user = coordinator_of(network)
    client = logged_in(user)
    added = criteria()[2]

    response = client.post(
        rules_url(network),
        form_data(
            network,
            hours_per_fte="1820",
            default_hourly_cost="32,50",
            default_labour_share="42,5",
            time_zone="Indian/Mayotte",
            eligibility_criteria=[criterion.pk for criterion in criteria()[1:3]],
        ),
        follow=True,
    )

    page = text(response)
    assert response.redirect_chain[-1][0] == rules_url(network)
    assert f"Les règles du réseau « {network.name} » sont enregistrées." in page
    network.refresh_from_db()
    assert network.hours_per_fte == 1820
    assert network.default_hourly_cost == Decimal("32.50")
    assert network.default_labour_share == Decimal("0.425")
    assert network.default_insertion_rate == Decimal("0.05")
    assert network.time_zone == "Indian/Mayotte"
    assert set(network.eligibility_criteria.all()) == set(criteria()[1:3])
    event = NetworkEvent.objects.get(network=network)
    assert event.actor == user
    assert event.before["hours_per_fte"] == 1607
    assert event.after["hours_per_fte"] == 1820
    assert "default_insertion_rate" not in event.after  # unchanged, not recorded
    # The history under the rules says who changed what.
    history = page.split("Historique des modifications")[1]
    assert str(user) in history
    assert "Heures par ETP : 1 607 h → 1 820 h" in history.replace(
        '<span aria-hidden="true">→</span><span class="visually-hidden">devient</span>', "→"
    )
    assert "30 €" in history
    assert "32,50 €" in history
    assert "40 %" in history
    assert "42,5 %" in history
    assert f"ajouté — {added.label}" in history
    assert f"retiré — {criteria()[0].label}" in history


def test_saving_unchanged_rules_records_nothing(network, coordinator):
    response = coordinator.post(rules_url(network), form_data(network))

    assert response.status_code == 302
    assert not NetworkEvent.objects.exists()


def test_bad_values_get_french_errors_and_change_nothing(network, coordinator):
    response = coordinator.post(
        rules_url(network),
        form_data(
            network,
            hours_per_fte="0",
            default_labour_share="150",
            default_insertion_rate="-1",
            default_hourly_cost="0",
            eligibility_criteria=[],
        ),
    )

    assert response.status_code == 200
    page = text(response)
    assert "Rien n'est enregistré" in page
    assert "Le nombre d'heures par ETP doit être un entier supérieur à 0." in page
    assert "La part de main-d'œuvre doit être supérieure à 0 % et au plus de 100 %" in page
    assert "Le taux d'insertion doit être supérieur à 0 % et au plus de 100 %" in page
    assert "Le coût horaire doit être supérieur à 0 €." in page
    assert "Retenez au moins un public éligible." in page
    network.refresh_from_db()
    assert network.hours_per_fte == 1607
    assert network.eligibility_criteria.count() == len(criteria())
    assert not NetworkEvent.objects.exists()


def test_an_unknown_time_zone_is_refused(network, coordinator):
    response = coordinator.post(rules_url(network), form_data(network, time_zone="Mars/Olympus"))
    assert "Sélectionnez un choix valide" in text(response)

    with pytest.raises(ValidationError) as error:
        services.network_update_rules(actor=None, network=network, time_zone="Mars/Olympus")
    assert error.value.message_dict == {"time_zone": ["Fuseau horaire inconnu : « Mars/Olympus »."]}
    network.refresh_from_db()
    assert network.time_zone == "Europe/Paris"


def test_facilitators_cannot_change_the_rules(structure, network):
    response = structure.client.post(rules_url(network), form_data(network, hours_per_fte="1820"))

    assert response.status_code == 403
    network.refresh_from_db()
    assert network.hours_per_fte == 1607
    assert not NetworkEvent.objects.exists()
    assert 'name="hours_per_fte"' not in text(
        structure.client.get(rules_url(network, modifier="1"))
    )


def test_another_networks_coordinator_gets_404(network):
    outsider = logged_in(coordinator_of(NetworkFactory(name="Autre réseau", slug="autre")))

    response = outsider.post(rules_url(network), form_data(network, hours_per_fte="1820"))

    assert response.status_code == 404
    network.refresh_from_db()
    assert network.hours_per_fte == 1607


def test_the_dashboards_fte_follow_a_changed_hours_per_fte(structure, network, coordinator):
    contract = ContractFactory(facilitator=structure.organisation, hours=5000)
    HoursEntryFactory(placement=PlacementFactory(contract=contract), hours_worked=Decimal(3400))

    def fte_card(client: Client, url: str) -> str:
        page = text(client.get(url))
        match = re.search(r'data-figure="fte">\s*<div class="card-body">\s*<p[^>]*>([^<]+)<', page)
        assert match
        return match.group(1).strip()

    assert fte_card(structure.client, "/") == "2"  # 3 400 ÷ 1 607
    assert fte_card(coordinator, reverse("reporting:network_dashboard")) == "2"

    coordinator.post(rules_url(network), form_data(network, hours_per_fte="1820"))

    assert fte_card(structure.client, "/") == "1"  # 3 400 ÷ 1 820
    assert fte_card(coordinator, reverse("reporting:network_dashboard")) == "1"
    assert "sur la base de 1 820 h par ETP" in text(structure.client.get("/"))


def test_ratios_may_reach_100_percent_and_stay_above_0(network):
    services.network_update_rules(
        actor=None,
        network=network,
        default_labour_share=Decimal(1),
        default_insertion_rate=Decimal("0.0001"),
    )

    network.refresh_from_db()
    assert network.default_labour_share == 1
    assert network.default_insertion_rate == Decimal("0.0001")
    event = NetworkEvent.objects.get(network=network)
    assert event.actor is None
    assert event.after == {"default_labour_share": "1.0000", "default_insertion_rate": "0.0001"}


@pytest.mark.parametrize("name", ["default_labour_share", "default_insertion_rate"])
def test_a_share_of_0_percent_is_refused_because_clauses_would_require_nothing(network, name):
    with pytest.raises(ValidationError) as error:
        services.network_update_rules(actor=None, network=network, **{name: Decimal(0)})

    assert "supérieur" in error.value.message_dict[name][0]
    assert "à 0 %" in error.value.message_dict[name][0]
    network.refresh_from_db()
    assert getattr(network, name) > 0
    assert not NetworkEvent.objects.exists()


@pytest.mark.parametrize(
    "name", ["default_labour_share", "default_insertion_rate", "default_hourly_cost"]
)
def test_the_database_refuses_a_share_or_a_cost_of_zero(network, name):
    with pytest.raises(IntegrityError), transaction.atomic():
        Network.objects.filter(pk=network.pk).update(**{name: Decimal(0)})


def test_a_time_zone_set_elsewhere_can_be_kept(network, coordinator):
    network.time_zone = "UTC"
    network.save()

    assert '<option value="UTC" selected>' in text(
        coordinator.get(rules_url(network, modifier="1"))
    )
    response = coordinator.post(rules_url(network), form_data(network, hours_per_fte="1820"))

    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.time_zone, network.hours_per_fte) == ("UTC", 1820)


def test_coordinators_stop_publishing_open_data_and_the_public_page_closes(network, coordinator):
    response = coordinator.post(rules_url(network), form_data(network, publishes_open_data=""))

    assert response.status_code == 302
    network.refresh_from_db()
    assert not network.publishes_open_data
    assert Client().get(f"/donnees-ouvertes/{network.slug}/").status_code == 404
    assert "Données ouvertes" in text(coordinator.get(rules_url(network)))
