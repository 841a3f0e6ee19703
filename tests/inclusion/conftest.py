"""Data of the inclusion tests: a structure's participant, eligibility, placement and hours,
with dates relative to today so that the suite means the same whatever the day."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    ContractFactory,
    HoursEntryFactory,
    OrganisationFactory,
    ParticipantFactory,
    PlacementFactory,
    member_of,
)
from tremplin.inclusion.enums import HoursStatus
from tremplin.inclusion.models import (
    EligibilityCriterion,
    EsfEntry,
    HoursEntry,
    InclusionEvent,
    Outcome,
    Participant,
    ParticipantCriterion,
    Placement,
)
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract, Lot


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Users are created by the dozen here: hash their passwords the cheap way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def months_ago(count: int) -> datetime.date:
    """The first day of the month ``count`` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def open_contract(facilitator: Organisation, **fields: object) -> Contract:
    """A contract running from 18 months ago to a year from now."""
    fields.setdefault("execution_start", months_ago(18))
    fields.setdefault("execution_end", timezone.localdate() + datetime.timedelta(days=365))
    return ContractFactory(facilitator=facilitator, **fields)


@dataclass
class Followed:
    """What a structure follows: one of each object of the inclusion app."""

    participant: Participant
    item: ParticipantCriterion
    contract: Contract
    lot: Lot
    placement: Placement
    entry: HoursEntry


def follow(facilitator: Organisation, last_name: str = "Madi") -> Followed:
    participant = ParticipantFactory(facilitator=facilitator, last_name=last_name)
    criterion = EligibilityCriterion.objects.get(code="rsa")
    item = ParticipantCriterion.objects.create(
        participant=participant,
        criterion=criterion,
        evidence="Attestation CAF",
        checked_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    contract = open_contract(facilitator)
    lot = Lot.objects.create(contract=contract, number=1, title="Gros œuvre")
    placement = PlacementFactory(
        participant=participant,
        contract=contract,
        lot=lot,
        start_date=months_ago(6),
        end_date=None,
    )
    entry = HoursEntryFactory(
        placement=placement,
        month=months_ago(2),
        hours_worked=Decimal(120),
        status=HoursStatus.DECLARED,
    )
    return Followed(participant, item, contract, lot, placement, entry)


@pytest.fixture
def followed(structure) -> Followed:  # type: ignore[no-untyped-def]
    """``structure``'s participant with a criterion, a placement on a lot and declared hours."""
    return follow(structure.organisation)


def client_of(organisation: Organisation) -> Client:
    client = Client()
    client.force_login(member_of(organisation))
    return client


@pytest.fixture
def buyer_client(network) -> Client:  # type: ignore[no-untyped-def]
    return client_of(OrganisationFactory(network=network, kind="buyer", buyer_kind="municipality"))


@pytest.fixture
def company_client(network) -> Client:  # type: ignore[no-untyped-def]
    return client_of(OrganisationFactory(network=network, kind="company"))


def page_text(response: object) -> str:
    """What a reader sees: the page without its tags, spaces collapsed."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))
    return text.replace(" ,", ",").strip()


def fingerprint() -> tuple[object, ...]:
    """Everything the inclusion app stores, to prove that a refused request changed nothing."""
    return (
        list(Participant.objects.order_by("pk").values()),
        list(ParticipantCriterion.objects.order_by("pk").values()),
        list(Placement.objects.order_by("pk").values()),
        list(HoursEntry.objects.order_by("pk").values()),
        list(Outcome.objects.order_by("pk").values()),
        list(EsfEntry.objects.order_by("pk").values()),
        InclusionEvent.objects.count(),
    )
