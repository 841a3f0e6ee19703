"""Helpers of the contract pages' tests."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from tests.factories import ContractFactory
from tremplin.procurement import services
from tremplin.procurement.obligation import ObligationInputs, ObligationMode

_SPACES = re.compile(r"[\u00a0\u202f]")


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML with non-breaking spaces made plain, to match figures like "1 000 €"."""
    return _SPACES.sub(" ", html.unescape(response.content.decode()))


def amount_based_contract(facilitator, **fields):  # type: ignore[no-untyped-def]
    """A contract of 1 000 000 € with a clause of 40 % × 5 % ÷ 30 € = 667 h."""
    contract = ContractFactory(facilitator=facilitator, **fields)
    services.clause_save(
        actor=None,
        contract=contract,
        legal_basis="L2112-2",
        inputs=ObligationInputs(
            mode=ObligationMode.AMOUNT_BASED,
            amount=contract.amount_excl_tax,
            labour_share=Decimal("0.40"),
            insertion_rate=Decimal("0.05"),
            hourly_cost=Decimal(30),
        ),
    )
    contract.refresh_from_db()
    return contract


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Test users need no strong hashing of their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contract(structure):  # type: ignore[no-untyped-def]
    return amount_based_contract(structure.organisation)
