"""A territory where a company recruits on a contract: its facilitator, prescribers in and
out of the area, a buyer and a coordinator who must see only what their role allows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import (
    ContractFactory,
    HiringNeedFactory,
    PrescriberFactory,
    coordinator_of,
    member_of,
)
from tremplin.matching.models import HiringNeed
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Territory:
    contract: Contract
    need: HiringNeed
    facilitator: User
    company: Organisation
    company_user: User
    prescriber: Organisation
    prescriber_user: User
    other_prescriber: Organisation
    other_prescriber_user: User
    far_prescriber: Organisation
    far_prescriber_user: User
    buyer_user: User
    coordinator: User

    def client(self, user: User) -> Client:
        return logged_in(user)


@pytest.fixture
def territory(network, structure) -> Territory:  # type: ignore[no-untyped-def]
    today = datetime.date.today()
    contract = ContractFactory(
        facilitator=structure.organisation,
        execution_start=today - datetime.timedelta(days=60),
        execution_end=today + datetime.timedelta(days=400),
        hours=700,
    )
    prescriber = PrescriberFactory(
        network=network, name="France Travail Mamoudzou", area_departments="976"
    )
    other_prescriber = PrescriberFactory(network=network, name="Mission locale du Sud")
    far_prescriber = PrescriberFactory(
        network=network, name="France Travail Évry", area_departments="91"
    )
    need = HiringNeedFactory(contract=contract, postal_code="97600", place="Mamoudzou")
    return Territory(
        contract=contract,
        need=need,
        facilitator=structure.user,
        company=contract.awarded_company,
        company_user=member_of(contract.awarded_company),
        prescriber=prescriber,
        prescriber_user=member_of(prescriber),
        other_prescriber=other_prescriber,
        other_prescriber_user=member_of(other_prescriber),
        far_prescriber=far_prescriber,
        far_prescriber_user=member_of(far_prescriber),
        buyer_user=member_of(contract.buyer),
        coordinator=coordinator_of(network),
    )
