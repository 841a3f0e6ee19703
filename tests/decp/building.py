"""Records built as the normaliser gives them, to test the import without files."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from tests.factories import next_siret
from tremplin.decp.records import (
    DecpRecord,
    FormatVersion,
    Modification,
    Party,
    RecordKind,
    Rejection,
    Subcontracting,
)

BUYER_SIRET = next_siret()
HOLDER_SIRET = next_siret()


def record(identifier: str = "2025-001", **fields: Any) -> DecpRecord:
    values: dict[str, Any] = {
        "kind": RecordKind.CONTRACT,
        "version": FormatVersion.V2,
        "identifier": identifier,
        "buyer": Party(BUYER_SIRET, "Commune de Mamoudzou"),
        "object": f"Construction du collège {identifier}",
        "cpv_code": "45214200-2",
        "procedure": "Appel d'offres ouvert",
        "nature": "Marché",
        "amount": Decimal("1200000.00"),
        "duration_months": 18,
        "notified_on": datetime.date(2025, 3, 1),
        "published_on": datetime.date(2025, 3, 10),
        "place_code": "97611",
        "place_kind": "Code commune",
        "place_name": "Mamoudzou",
        "holders": (Party(HOLDER_SIRET, "Lagon BTP"),),
        "social_considerations": ("Clause sociale",),
        "environmental_considerations": (),
    }
    values.update(fields)
    return DecpRecord(**values)


def subcontracting(amount: str = "50000") -> Subcontracting:
    return Subcontracting(
        identifier="ST-1",
        subcontractor=Party(next_siret(), "Insertion Lagon"),
        amount=Decimal(amount),
        duration_months=6,
        notified_on=datetime.date(2025, 4, 1),
        published_on=datetime.date(2025, 4, 2),
    )


def modification(amount: str = "1300000") -> Modification:
    return Modification(
        identifier="1",
        object="Avenant n° 1",
        amount=Decimal(amount),
        duration_months=20,
        holders=(),
        notified_on=datetime.date(2025, 6, 1),
        published_on=datetime.date(2025, 6, 2),
    )


def rejection(
    position: int, reason: str = "L'acheteur n'a pas de SIRET valide (« 1234 »)."
) -> Rejection:
    return Rejection(
        position=position, identifier=f"R{position}", field="acheteur.id", reason=reason
    )
