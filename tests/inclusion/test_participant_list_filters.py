"""The participants list filtered by a confirmed criterion: the rows behind a figure."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import ParticipantFactory
from tremplin.inclusion.enums import CriterionStatus
from tremplin.inclusion.models import EligibilityCriterion, ParticipantCriterion

pytestmark = pytest.mark.django_db


def _holds(participant, code: str, status: str = CriterionStatus.CONFIRMED) -> None:  # type: ignore[no-untyped-def]
    criterion = EligibilityCriterion.objects.get(code=code)
    ParticipantCriterion.objects.create(
        participant=participant,
        criterion=criterion,
        evidence="Attestation",
        checked_on=datetime.date(2026, 1, 5),
        status=status,
        refusal_reason="Illisible" if status == CriterionStatus.REFUSED else "",
    )


def test_the_list_keeps_only_people_holding_the_criterion_confirmed(structure, other_structure):
    for code in ("rsa", "long_term_job_seeker"):
        EligibilityCriterion.objects.get(code=code).networks.add(structure.organisation.network)
    on_rsa = ParticipantFactory(facilitator=structure.organisation, last_name="Rsaconfirme")
    _holds(on_rsa, "rsa")
    refused = ParticipantFactory(facilitator=structure.organisation, last_name="Rsarefuse")
    _holds(refused, "rsa", CriterionStatus.REFUSED)
    other = ParticipantFactory(facilitator=structure.organisation, last_name="Deld")
    _holds(other, "long_term_job_seeker")
    elsewhere = ParticipantFactory(facilitator=other_structure.organisation, last_name="Ailleurs")
    _holds(elsewhere, "rsa")

    page = structure.client.get("/participants/?critere=rsa").content.decode()

    assert "RSACONFIRME" in page.upper()
    assert "RSAREFUSE" not in page.upper()
    assert "DELD" not in page.upper()
    assert "AILLEURS" not in page.upper()
    assert "critère confirmé : Bénéficiaire du RSA" in page

    export = structure.client.get("/participants/?critere=rsa&format=csv").content.decode(
        "utf-8-sig"
    )
    assert "Rsaconfirme" in export
    assert "Rsarefuse" not in export
    assert "Ailleurs" not in export


def test_an_unknown_criterion_is_ignored(structure):
    ParticipantFactory(facilitator=structure.organisation, last_name="Quelquun")

    page = structure.client.get("/participants/?critere=inconnu").content.decode()

    assert "QUELQUUN" in page.upper()
