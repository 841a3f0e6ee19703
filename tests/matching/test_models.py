"""The database keeps the invariants of needs and referrals, whatever writes them."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ContractFactory, OrganisationFactory, any_job
from tremplin.matching.enums import EmploymentContractType
from tremplin.matching.models import HiringNeed, Referral
from tremplin.organisations.enums import OrganisationKind

pytestmark = pytest.mark.django_db


def _need(**fields: object) -> HiringNeed:
    contract = ContractFactory()
    data: dict[str, object] = {
        "contract": contract,
        "employer": contract.awarded_company,
        "job": any_job(),
        "start_date": datetime.date(2026, 3, 2),
        "place": "Mamoudzou",
        "contract_type": EmploymentContractType.CDD,
    }
    data.update(fields)
    return HiringNeed.objects.create(**data)


def _referral(need: HiringNeed, **fields: object) -> Referral:
    data: dict[str, object] = {
        "need": need,
        "prescriber": OrganisationFactory(
            network=need.contract.facilitator.network, kind=OrganisationKind.PRESCRIBER
        ),
        "first_name": "Fatima",
        "last_name": "Madi",
        "birth_date": datetime.date(1990, 5, 17),
        "sex": "F",
    }
    data.update(fields)
    return Referral.objects.create(**data)


def test_a_need_has_at_least_one_post_and_at_most_48_hours_a_week():
    with pytest.raises(IntegrityError), transaction.atomic():
        _need(positions=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        _need(weekly_hours=60)


def test_a_published_need_has_its_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        _need(status="published")


def test_a_refusal_needs_a_reason_and_a_hire_a_participant():
    need = _need()
    with pytest.raises(IntegrityError), transaction.atomic():
        _referral(need, status="not_retained")
    with pytest.raises(IntegrityError), transaction.atomic():
        _referral(need, status="hired")
    assert _referral(need, status="not_retained", refusal_reason="Pas de permis B").pk


def test_a_person_is_referred_once_to_a_need():
    need = _need()
    _referral(need)
    with pytest.raises(IntegrityError), transaction.atomic():
        _referral(need)
