"""The database keeps a clause's shares above zero, whatever writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ClauseFactory, ContractFactory


def amount_based(**overrides):  # type: ignore[no-untyped-def]
    # 1 000 000 € × 40 % × 5 % ÷ 30 € = 666,67 h, written by hand.
    values = {
        "mode": "amount_based",
        "fixed_hours": None,
        "amount": Decimal(1_000_000),
        "labour_share": Decimal("0.40"),
        "insertion_rate": Decimal("0.05"),
        "hourly_cost": Decimal(30),
        "exact_hours": Decimal("666.6667"),
        "hours_required": 667,
    }
    return {**values, **overrides}


@pytest.mark.django_db
def test_a_clause_with_real_shares_is_stored():
    clause = ClauseFactory(contract=ContractFactory(), **amount_based())
    assert clause.hours_required == 667


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["labour_share", "insertion_rate"])
def test_a_clause_at_0_percent_is_refused_by_the_database(name):
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseFactory(contract=contract, **amount_based(**{name: Decimal(0)}))


@pytest.mark.django_db
def test_a_share_of_hours_at_0_percent_is_refused_by_the_database():
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseFactory(
            contract=contract,
            mode="share_of_hours_worked",
            fixed_hours=None,
            hours_worked=Decimal(10_000),
            share_of_hours=Decimal(0),
            exact_hours=Decimal(0),
            hours_required=0,
        )
