"""Reads behind the responsible purchasing indicators: the contracts followed in Tremplin
and the DECP records of a buyer (or of a network), as the rows ``purchasing`` counts.

The database groups what it can: followed contracts and unlinked DECP records come back
as one row per year and combination of considerations, so the cost does not grow with a
network's open data. DECP records linked to a followed contract among ``contracts`` are
left out by the database (the contract counts for them); records linked to another
contract come back one row per contract, so that ``purchasing.merge`` counts it once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear

from tremplin.decp.models import DecpRecord
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting.purchasing import PurchaseRow, Purchasing, Source, purchasing

ZERO_AMOUNT = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))

CONTRACT_SOCIAL = Q(social_clause=True) | Q(social_criterion=True) | Q(reserved_contract=True)
CONTRACT_ENVIRONMENTAL = Q(environmental_clause=True) | Q(environmental_criterion=True)
CONTRACT_RESERVED = Q(reserved_contract=True)


def _boolean(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def contract_reference_date() -> Coalesce:
    """A contract's year is that of its notification, else of its execution start."""
    return Coalesce("notified_on", "execution_start", output_field=DateField())


def _grouped(rows: QuerySet[Any], amount: str, source: Source) -> list[PurchaseRow]:
    """One row per year, combination of considerations and linked contract (none for a
    followed contract, nor for an unlinked record): records linked to one contract make
    one row that counts as that one contract, with its largest published amount."""
    grouped = (
        rows.order_by()
        .values("year", "is_social", "is_environmental", "is_reserved", "linked")
        .annotate(
            count=Count("pk"),
            total=Coalesce(Sum(amount), ZERO_AMOUNT),
            largest=Coalesce(Max(amount), ZERO_AMOUNT),
        )
        .order_by("linked", "year")
    )
    return [
        PurchaseRow(
            year=row["year"],
            amount=Decimal(row["largest"] if row["linked"] else row["total"]),
            social=bool(row["is_social"]),
            environmental=bool(row["is_environmental"]),
            reserved=bool(row["is_reserved"]),
            source=source,
            contract=row["linked"],
            count=1 if row["linked"] else row["count"],
        )
        for row in grouped
    ]


def _tracked_rows(contracts: QuerySet[Contract]) -> list[PurchaseRow]:
    return _grouped(
        contracts.annotate(
            year=ExtractYear(contract_reference_date()),
            is_social=_boolean(CONTRACT_SOCIAL),
            is_environmental=_boolean(CONTRACT_ENVIRONMENTAL),
            is_reserved=_boolean(CONTRACT_RESERVED),
            linked=Value(None, output_field=IntegerField()),
        ),
        "amount_excl_tax",
        Source.TRACKED,
    )


def _decp_rows(records: QuerySet[DecpRecord], contracts: QuerySet[Contract]) -> list[PurchaseRow]:
    return _grouped(
        records.exclude(contract__in=contracts.values("pk")).annotate(
            year=ExtractYear("notified_on"),
            is_social=_boolean(Q(has_social=True) | Q(reserved=True)),
            is_environmental=_boolean(Q(has_environmental=True)),
            is_reserved=_boolean(Q(reserved=True)),
            linked=F("contract_id"),
        ),
        "amount",
        Source.DECP,
    )


def purchasing_of(contracts: QuerySet[Contract], records: QuerySet[DecpRecord]) -> Purchasing:
    """The yearly indicators of these contracts and records, each contract counted once."""
    return purchasing([*_tracked_rows(contracts), *_decp_rows(records, contracts)])


# --- What a user may count ------------------------------------------------------------------


def buyer_records(scope: UserScope, buyer: Organisation) -> QuerySet[DecpRecord]:
    """The buyer's DECP records: all of them for the buyer itself (its own published data),
    those of their networks' open data for facilitators and coordinators."""
    records = DecpRecord.objects.filter(buyer=buyer)
    if buyer.pk in scope.buyer_ids:
        return records
    # The networks of ``decp.selectors.importer_network_ids``, as a subquery.
    structures = Organisation.objects.filter(pk__in=scope.facilitator_ids).values("network_id")
    return records.filter(
        Q(network_id__in=structures) | Q(network_id__in=scope.coordinated_network_ids)
    )


def sees_decp_records(scope: UserScope) -> bool:
    """Whether the DECP record list (facilitators and coordinators) is open to the user."""
    return scope.is_facilitator or scope.is_coordinator


# --- Open data ---------------------------------------------------------------------------------


def network_records(network: Network, buyer: Organisation | None = None) -> QuerySet[DecpRecord]:
    """The DECP records imported by a network (of one of its buyers)."""
    records = DecpRecord.objects.filter(network=network)
    if buyer is not None:
        records = records.filter(buyer=buyer)
    return records
