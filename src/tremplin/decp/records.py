"""A DECP record once read and cleaned, or the reason it was rejected. Pure: no Django.

The reader (``reader.py``) streams raw records out of a file; the normaliser
(``normalise.py``) turns each into a ``DecpRecord`` or a ``Rejection``; the import service
of the app writes records to the database. This module is the contract between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class RecordKind(StrEnum):
    CONTRACT = "contract"  # « marché »
    CONCESSION = "concession"  # « contrat de concession »


class FormatVersion(StrEnum):
    V1 = "v1"  # the 2019 format, as real platforms published it
    V2 = "v2"  # the 2024 schema (considerations sociales et environnementales)


@dataclass(frozen=True)
class Party:
    """A buyer, a holder or a subcontractor, as published."""

    identifier: str  # a SIRET when id_kind is SIRET (14 digits, Luhn-valid), else as published
    name: str = ""
    id_kind: str = "SIRET"

    @property
    def has_siret(self) -> bool:
        return self.id_kind.upper() == "SIRET" and len(self.identifier) == 14


@dataclass(frozen=True)
class Subcontracting:
    """An « acte spécial de sous-traitance »."""

    identifier: str
    subcontractor: Party | None
    amount: Decimal | None
    duration_months: int | None
    notified_on: date | None
    published_on: date | None


@dataclass(frozen=True)
class Modification:
    identifier: str
    object: str
    amount: Decimal | None
    duration_months: int | None
    holders: tuple[Party, ...]
    notified_on: date | None
    published_on: date | None


@dataclass(frozen=True)
class DecpRecord:
    """One contract or concession. Identified by its buyer and its id (``key``)."""

    kind: RecordKind
    version: FormatVersion
    identifier: str  # « id » as published (unique for a buyer)
    buyer: Party
    object: str
    cpv_code: str  # "45000000-7": eight digits, a hyphen and the check digit; "" if unknown
    procedure: str
    nature: str  # « Marché », « Marché de partenariat », « Accord-cadre »…
    amount: Decimal | None  # excl. tax; None when absent or 0 (a 0 means "not given")
    duration_months: int | None
    notified_on: date | None
    published_on: date | None  # « datePublicationDonnees »: a newer one updates the record
    place_code: str
    place_kind: str  # « Code postal », « Code commune », « Code département »…
    place_name: str
    holders: tuple[Party, ...]
    social_considerations: tuple[
        str, ...
    ]  # « Clause sociale », « Critère social », « Marché réservé »
    environmental_considerations: tuple[str, ...]
    subcontracting: tuple[Subcontracting, ...] = ()
    modifications: tuple[Modification, ...] = ()
    # Problems fixed on the way (broken accents repaired, check digit added…), for the report.
    corrections: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[str, str]:
        return (self.buyer.identifier, self.identifier)

    @property
    def has_social_consideration(self) -> bool:
        return bool(self.social_considerations)

    @property
    def has_environmental_consideration(self) -> bool:
        return bool(self.environmental_considerations)

    @property
    def reserved(self) -> bool:
        """A contract reserved to inclusion or disabled workers' employers."""
        return any("réserv" in value.lower() for value in self.social_considerations)


@dataclass(frozen=True)
class Rejection:
    """A record that cannot be imported: where it is in the file and why, in French."""

    position: int  # 1-based rank of the record in the file
    identifier: str  # the record's id when it could be read, else ""
    field: str  # the published field at fault (« acheteur.id », « dateNotification »…)
    reason: str  # « L'acheteur n'a pas de SIRET valide (« 1234 »). »
