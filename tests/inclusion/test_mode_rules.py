"""The network's counting rules per execution mode: facilitators read them, coordinators
change them, and each change is kept in the network's history."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import ExecutionModeRuleFactory, NetworkFactory, coordinator_of
from tremplin.inclusion.counting import ModeRule
from tremplin.inclusion.enums import ExecutionMode
from tremplin.inclusion.mode_rule_services import execution_mode_rules_set
from tremplin.inclusion.models import ExecutionModeRule
from tremplin.organisations.models import NetworkEvent

pytestmark = pytest.mark.django_db

MODES_URL = reverse("inclusion:mode_rules")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(response.content.decode()))


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def url(network, **params: str) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{key}={value}" for key, value in {"reseau": network.slug, **params}.items())
    return f"{MODES_URL}?{query}"


def row(page: str, mode: str) -> str:
    return page.split(f'data-mode="{mode}"')[1].split("</tr>")[0]


def form_data(**changes: str) -> dict[str, str]:
    """What the form posts when every mode counts as it is, with ``changes`` applied."""
    data = {f"{mode.value}-weight": "1" for mode in ExecutionMode}
    data.update({f"{mode.value}-cap": "" for mode in ExecutionMode})
    data.update(changes)
    return data


@pytest.fixture
def coordinator(network):  # type: ignore[no-untyped-def]
    return coordinator_of(network)


# Reading ------------------------------------------------------------------------------------


def test_facilitators_read_the_twelve_modes_with_their_rules(structure, network):
    ExecutionModeRuleFactory(
        network=network, execution_mode=ExecutionMode.TRAINING, cap_share=Decimal("0.3")
    )
    ExecutionModeRuleFactory(
        network=network, execution_mode=ExecutionMode.TEMP_AGENCY, weight=Decimal("0.5")
    )

    response = structure.client.get(url(network))

    assert response.status_code == 200
    page = text(response)
    assert page.count("data-mode=") == 12
    assert "Aucun" in row(page, "direct_cdi")
    assert "30 %" in row(page, "training")
    assert "Au plus 30 % des heures exigées du marché." in row(page, "training")
    assert ">0,5<" in row(page, "temp_agency")
    assert "Une heure validée compte pour 0,5 h." in row(page, "temp_agency")
    # Reading only: no way to change the rules.
    assert "Modifier les règles de comptage" not in page
    assert 'name="training-cap"' not in page


def test_the_network_rules_page_shows_the_rules_and_links_to_them(structure, network):
    ExecutionModeRuleFactory(
        network=network, execution_mode=ExecutionMode.TRAINING, cap_share=Decimal("0.3")
    )

    page = text(
        structure.client.get(f"{reverse('organisations:network_rules')}?reseau={network.slug}")
    )

    assert "Action de formation : au plus 30 % des heures exigées du marché." in page
    assert f"{MODES_URL}?reseau={network.slug}" in page


def test_facilitators_cannot_change_the_rules(structure, network):
    response = structure.client.post(url(network), form_data(**{"training-cap": "30"}))

    assert response.status_code == 403
    assert not ExecutionModeRule.objects.exists()
    with pytest.raises(PermissionDenied):
        execution_mode_rules_set(
            user=structure.user, network=network, rules={"training": ModeRule(weight=Decimal(2))}
        )


def test_another_networks_coordinator_gets_404(network):
    stranger = logged_in(coordinator_of(NetworkFactory()))

    assert stranger.get(url(network)).status_code == 404
    assert stranger.post(url(network), form_data()).status_code == 404


# Changing ------------------------------------------------------------------------------------


def test_coordinators_set_a_cap_as_a_percentage_and_a_weight(network, coordinator):
    client = logged_in(coordinator)
    form = text(client.get(url(network, modifier="1")))
    assert 'name="training-cap"' in form
    assert form.count('name="') >= 24

    response = client.post(
        url(network), form_data(**{"training-cap": "30", "temp_agency-weight": "0,5"})
    )

    assert response.status_code == 302
    rules = {
        rule.execution_mode: rule for rule in ExecutionModeRule.objects.filter(network=network)
    }
    assert set(rules) == {"training", "temp_agency"}
    assert rules["training"].cap_share == Decimal("0.3")
    assert rules["training"].weight == 1
    assert rules["temp_agency"].weight == Decimal("0.5")
    assert rules["temp_agency"].cap_share is None
    page = text(client.get(response["Location"]))
    assert "Les règles de comptage du réseau" in page
    assert "30 %" in row(page, "training")
    # The form shows the stored values as a person typed them.
    assert 'value="30"' in row(text(client.get(url(network, modifier="1"))), "training")


def test_the_change_is_recorded_and_shown_in_the_network_history(network, coordinator):
    execution_mode_rules_set(
        user=coordinator, network=network, rules={"training": ModeRule(cap_share=Decimal("0.3"))}
    )
    execution_mode_rules_set(
        user=coordinator,
        network=network,
        rules={"training": ModeRule(), "temp_agency": ModeRule(weight=Decimal("0.5"))},
    )

    events = list(NetworkEvent.objects.filter(network=network).order_by("id"))
    assert [event.action for event in events] == ["execution_mode_rules_updated"] * 2
    assert events[0].before == {"execution_mode_rules": {}}
    assert events[0].after == {
        "execution_mode_rules": {"training": {"weight": "1.00", "cap_share": "0.3000"}}
    }
    assert events[1].before["execution_mode_rules"] == {
        "training": {"weight": "1.00", "cap_share": "0.3000"}
    }
    # A neutral rule removes the stored one.
    assert list(ExecutionModeRule.objects.values_list("execution_mode", flat=True)) == [
        "temp_agency"
    ]
    page = text(
        logged_in(coordinator).get(
            f"{reverse('organisations:network_rules')}?reseau={network.slug}"
        )
    )
    assert (
        "Comptage — Action de formation : coefficient 1, plafond 30 % → coefficient 1, sans plafond"
        in page.replace(
            '<span aria-hidden="true">→</span><span class="visually-hidden">devient</span>', "→"
        )
    )


def test_saving_unchanged_rules_records_nothing(network, coordinator):
    response = logged_in(coordinator).post(url(network), form_data())

    assert response.status_code == 302
    assert not NetworkEvent.objects.exists()
    assert not ExecutionModeRule.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("training-cap", "150", "Le plafond est compris entre 0 et 100 %."),
        ("training-weight", "-1", "Le coefficient ne peut pas être négatif."),
        ("training-weight", "11", "Le coefficient ne peut pas dépasser 10."),
        ("training-weight", "", "Indiquez un coefficient"),
        ("training-weight", "deux", "Saisissez un nombre."),
    ],
)
def test_bad_values_get_french_errors_and_change_nothing(
    network, coordinator, field, value, message
):
    response = logged_in(coordinator).post(
        url(network), form_data(**{field: value, "temp_agency-weight": "0,5"})
    )

    assert response.status_code == 200
    page = text(response)
    assert "Rien n'est enregistré" in page
    assert message in page
    assert not ExecutionModeRule.objects.exists()


def test_the_service_refuses_an_unknown_mode_and_too_many_decimals(network, coordinator):
    with pytest.raises(ValidationError, match="inconnue"):
        execution_mode_rules_set(user=coordinator, network=network, rules={"walking": ModeRule()})
    with pytest.raises(ValidationError, match="deux décimales"):
        execution_mode_rules_set(
            user=coordinator, network=network, rules={"training": ModeRule(weight=Decimal("0.125"))}
        )
    assert not ExecutionModeRule.objects.exists()
