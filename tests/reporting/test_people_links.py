"""Each figure of people on the indicators page links to the participants behind it, and
the list counts as many rows as the figure says."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ContractFactory,
    HoursEntryFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlacementFactory,
    coordinator_of,
    member_of,
)
from tremplin.inclusion.enums import (
    CriterionStatus,
    HoursStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion

INDICATORS = reverse("reporting:indicators")
PARTICIPANTS = reverse("inclusion:participant_list")
START = datetime.date(2024, 1, 1)
END = datetime.date(2026, 12, 31)


def _placed(contract, **participant_fields):  # type: ignore[no-untyped-def]
    participant = ParticipantFactory(facilitator=contract.facilitator, **participant_fields)
    return PlacementFactory(contract=contract, participant=participant)


def _confirm(participant, code: str) -> None:  # type: ignore[no-untyped-def]
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=EligibilityCriterion.objects.get(code=code),
        evidence="Attestation",
        checked_on=timezone.localdate(),
        status=CriterionStatus.CONFIRMED,
    )


@pytest.fixture
def territory(structure, other_structure):  # type: ignore[no-untyped-def]
    dates = {"execution_start": START, "execution_end": END}
    first = ContractFactory(facilitator=structure.organisation, hours=2000, **dates)
    second = ContractFactory(facilitator=structure.organisation, hours=500, **dates)
    foreign = ContractFactory(facilitator=other_structure.organisation, hours=800, **dates)

    young = _placed(
        first,
        last_name="Jeune",
        sex="F",
        birth_date=datetime.date(2003, 4, 2),
        qpv_resident=True,
        qualification_level="3",
    )
    senior = _placed(
        first,
        last_name="Ancien",
        sex="M",
        birth_date=datetime.date(1970, 8, 9),
        qualification_level="none",
    )
    earlier = _placed(first, last_name="Autrefois", birth_date=datetime.date(1985, 1, 1))
    declared = _placed(first, last_name="Declare", birth_date=datetime.date(1990, 1, 1))
    elsewhere = _placed(
        second, last_name="Ailleurs", sex="M", birth_date=datetime.date(1995, 6, 30)
    )
    foreigner = _placed(foreign, last_name="Etranger", birth_date=datetime.date(2001, 1, 1))
    # Someone followed without any hours: on the plain list, behind no figure.
    ParticipantFactory(facilitator=structure.organisation, last_name="Sansheures")

    HoursEntryFactory(placement=young, month=datetime.date(2025, 3, 1))
    HoursEntryFactory(placement=senior, month=datetime.date(2025, 3, 1))
    HoursEntryFactory(placement=earlier, month=datetime.date(2024, 6, 1))
    HoursEntryFactory(
        placement=declared, month=datetime.date(2025, 3, 1), status=HoursStatus.DECLARED
    )
    HoursEntryFactory(placement=elsewhere, month=datetime.date(2025, 4, 1))
    HoursEntryFactory(placement=foreigner, month=datetime.date(2025, 3, 1))
    for placement in (young, senior, foreigner):
        _confirm(placement.participant, "rsa")
    _confirm(young.participant, "qpv_resident")

    exit_day = datetime.date(2025, 5, 15)
    for placement, situation in (
        (young, OutcomeSituation.DURABLE_CDI),
        (senior, OutcomeSituation.QUALIFYING_TRAINING),
        (earlier, OutcomeSituation.JOB_SEEKING),
        (foreigner, OutcomeSituation.DURABLE_CDI),
    ):
        OutcomeFactory(
            placement=placement, exit_date=exit_day, observed_on=exit_day, situation=situation
        )
    OutcomeFactory(
        placement=senior,
        moment=OutcomeMoment.SIX_MONTHS,
        exit_date=exit_day,
        observed_on=datetime.date(2025, 11, 20),
        situation=OutcomeSituation.TRANSITION_JOB,
    )
    return {"first": first, "second": second}


def _people_series(report):  # type: ignore[no-untyped-def]
    return [
        report.participants_by_sex,
        report.participants_by_age_band,
        report.participants_by_qpv,
        report.participants_by_qualification,
        report.participants_by_criterion,
        report.outcomes_at_exit,
        report.outcomes_at_six_months,
    ]


def _rows(client, url: str) -> int:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Filtrés depuis les indicateurs" in content
    # Another structure's people never appear, whatever the figure.
    assert "ETRANGER" not in content
    return response.context["page"].paginator.count


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"annee": "2025"},
        {"du": "2025-03", "au": "2025-04", "acheteur": "buyer"},
        {"annee": "2024"},
        {"structure": "structure"},
        {"marche": "second"},
    ],
)
def test_every_people_figure_equals_the_rows_of_its_list(structure, territory, params):
    values = {
        "buyer": territory["first"].buyer_id,
        "structure": structure.organisation.pk,
        "second": territory["second"].pk,
    }
    query = {key: values.get(value, value) for key, value in params.items()}
    response = structure.client.get(INDICATORS, query)
    report = response.context["report"]

    assert report.people_url.startswith(PARTICIPANTS)
    assert response.context["people_url"] == report.people_url
    assert _rows(structure.client, report.people_url) == report.participants
    for series in _people_series(report):
        for bar in series.bars:
            assert bar.url.startswith(PARTICIPANTS), (series.title, bar.label)
            assert _rows(structure.client, bar.url) == bar.value, (series.title, bar.label)


def test_known_figures_of_2025(structure, territory):
    report = structure.client.get(INDICATORS, {"annee": "2025"}).context["report"]
    # Jeune, Ancien, Ailleurs: Autrefois's hours are of 2024, Declare's not validated.
    assert report.participants == 3
    page = structure.client.get(report.people_url)
    names = {participant.last_name for participant in page.context["page"].object_list}
    assert names == {"Jeune", "Ancien", "Ailleurs"}
    assert "3 participants" in page.content.decode()

    under_26 = next(bar for bar in report.participants_by_age_band.bars if bar.key == "under_26")
    assert under_26.value == 1
    response = structure.client.get(under_26.url)
    assert [p.last_name for p in response.context["page"].object_list] == ["Jeune"]
    assert "moins de 26 ans au 01/01/2025" in response.content.decode()

    training = next(bar for bar in report.outcomes_at_exit.bars if bar.key == "training")
    assert training.value == 1
    response = structure.client.get(training.url)
    assert [p.last_name for p in response.context["page"].object_list] == ["Ancien"]
    transition = next(
        bar for bar in report.outcomes_at_six_months.bars if bar.key == "transition_job"
    )
    assert transition.value == 1
    assert _rows(structure.client, transition.url) == 1


def test_the_page_shows_the_links(structure, territory):
    html = structure.client.get(INDICATORS, {"annee": "2025"}).content.decode()
    assert f"{PARTICIPANTS}?du=2025-01&amp;au=2025-12&amp;heures=validees" in html
    assert "sexe=F" in html
    assert "age=26_49" in html
    assert "qpv=oui" in html
    assert "niveau=3" in html
    assert "sortie=exit%3Adurable_job" in html


def test_filters_survive_the_export_and_the_banner_clears_them(structure, territory):
    report = structure.client.get(INDICATORS, {"annee": "2025"}).context["report"]
    female = next(bar for bar in report.participants_by_sex.bars if bar.key == "F")
    page = structure.client.get(female.url).content.decode()
    assert "Retirer ces filtres" in page
    export = structure.client.get(female.url + "&format=csv")
    assert export.status_code == 200
    rows = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + female.value
    assert "Jeune" in rows[1]


def test_another_structures_participants_are_not_reachable(structure, other_structure, territory):
    # The other structure's own links lead to its people only.
    report = other_structure.client.get(INDICATORS).context["report"]
    assert report.participants == 1
    content = other_structure.client.get(report.people_url).content.decode()
    assert "ETRANGER" in content
    assert "JEUNE" not in content
    # Forcing our contract's id into their list shows nobody.
    url = f"{PARTICIPANTS}?heures=validees&marche={territory['first'].pk}"
    response = other_structure.client.get(url)
    assert response.context["page"].paginator.count == 0


@pytest.mark.parametrize("who", ["buyer", "coordinator"])
def test_buyers_and_coordinators_get_no_links_to_people(network, territory, client, who):
    user = member_of(territory["first"].buyer) if who == "buyer" else coordinator_of(network)
    client.force_login(user)
    response = client.get(INDICATORS)
    report = response.context["report"]
    assert report.participants
    assert not report.people_url
    assert response.context["people_url"] == "#participants"
    for series in _people_series(report):
        assert not any(bar.url for bar in series.bars)
    assert f'href="{PARTICIPANTS}' not in response.content.decode()


def test_hours_of_people_are_unchanged(structure, territory):
    # The hours figures keep their own links (to the validated hours).
    report = structure.client.get(INDICATORS).context["report"]
    assert report.hours_validated == Decimal(480)
    assert all(point.url for point in report.hours_by_month)


def test_the_filtered_list_costs_a_bounded_number_of_queries(
    structure, territory, django_assert_max_num_queries
):
    for _ in range(30):
        HoursEntryFactory(
            placement=_placed(territory["first"], sex="F"), month=datetime.date(2025, 3, 1)
        )
    url = (
        f"{PARTICIPANTS}?du=2025-01&au=2025-12&heures=validees&sexe=F"
        f"&acheteur={territory['first'].buyer_id}&marche={territory['first'].pk}"
    )
    with django_assert_max_num_queries(14):
        response = structure.client.get(url)
    assert response.context["page"].paginator.count == 31
