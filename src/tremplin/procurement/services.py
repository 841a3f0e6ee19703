"""Writes of the procurement app: contracts, lots and clauses. Each is atomic."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from tremplin.core.history import history_value
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import (
    OBLIGATION_INPUT_FIELDS,
    Clause,
    Contract,
    Lot,
    ProcurementEvent,
)
from tremplin.procurement.obligation import (
    ObligationInputError,
    ObligationInputs,
    compute_obligation,
)


def _record(
    *,
    actor: User | None,
    contract: Contract,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    ProcurementEvent.objects.create(
        actor=actor,
        contract=contract,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )


def _check_parties(contract: Contract) -> None:
    errors: dict[str, str] = {}
    if contract.facilitator.kind != OrganisationKind.FACILITATOR:
        errors["facilitator"] = "Choisissez une structure de facilitation."
    if contract.buyer.kind != OrganisationKind.BUYER:
        errors["buyer"] = "L'acheteur doit être une organisation de type acheteur."
    if contract.buyer.network_id != contract.facilitator.network_id:
        errors["buyer"] = "L'acheteur n'appartient pas au réseau de la structure de facilitation."
    company = contract.awarded_company
    if company is not None and company.kind not in (
        OrganisationKind.COMPANY,
        OrganisationKind.INCLUSION_EMPLOYER,
    ):
        errors["awarded_company"] = (
            "Le titulaire doit être une entreprise ou un employeur inclusif."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    facilitator: Organisation,
    buyer: Organisation,
    co_contractors: Iterable[Organisation] = (),
    subcontractors: Iterable[Organisation] = (),
    **fields: Any,
) -> Contract:
    contract = Contract(facilitator=facilitator, buyer=buyer, **fields)
    _check_parties(contract)
    contract.full_clean()
    contract.save()
    contract.co_contractors.set(co_contractors)
    contract.subcontractors.set(subcontractors)
    _record(
        actor=actor,
        contract=contract,
        action="contract_created",
        object_type="contract",
        object_id=contract.pk,
        before=None,
        after=_contract_snapshot(contract),
    )
    return contract


@transaction.atomic
def contract_update(
    *,
    actor: User | None,
    contract: Contract,
    co_contractors: Iterable[Organisation] | None = None,
    subcontractors: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Contract:
    before = _contract_snapshot(contract)
    for name, value in fields.items():
        setattr(contract, name, value)
    _check_parties(contract)
    contract.full_clean()
    contract.save()
    if co_contractors is not None:
        contract.co_contractors.set(co_contractors)
    if subcontractors is not None:
        contract.subcontractors.set(subcontractors)
    after = _contract_snapshot(contract)
    if before != after:
        _record(
            actor=actor,
            contract=contract,
            action="contract_updated",
            object_type="contract",
            object_id=contract.pk,
            before=before,
            after=after,
        )
    return contract


def _contract_snapshot(contract: Contract) -> dict[str, Any]:
    fields = (
        "reference",
        "title",
        "cpv_code",
        "procedure",
        "form",
        "amount_excl_tax",
        "notified_on",
        "execution_start",
        "execution_end",
        "buyer_id",
        "awarded_company_id",
        "social_clause",
        "social_criterion",
        "reserved_contract",
        "environmental_clause",
        "environmental_criterion",
    )
    return {name: history_value(getattr(contract, name)) for name in fields}


@transaction.atomic
def lot_create(
    *, actor: User | None, contract: Contract, number: int, title: str, **fields: Any
) -> Lot:
    lot = Lot(contract=contract, number=number, title=title, **fields)
    lot.full_clean()
    lot.save()
    _record(
        actor=actor,
        contract=contract,
        action="lot_created",
        object_type="lot",
        object_id=lot.pk,
        before=None,
        after={"number": number, "title": title},
    )
    return lot


@transaction.atomic
def clause_save(
    *,
    actor: User | None,
    contract: Contract,
    legal_basis: str,
    inputs: ObligationInputs,
    lot: Lot | None = None,
    notes: str = "",
) -> Clause:
    """Create or update the clause of a contract (or of one of its lots), computing its hours."""
    if lot is not None and lot.contract_id != contract.pk:
        raise ValidationError({"lot": "Ce lot n'appartient pas à ce marché."})
    try:
        obligation = compute_obligation(inputs)
    except ObligationInputError as error:
        raise ValidationError(error.errors) from error
    clause = Clause.objects.filter(contract=contract, lot=lot).first()
    before = _clause_snapshot(clause) if clause else None
    if clause is None:
        clause = Clause(contract=contract, lot=lot)
    clause.legal_basis = legal_basis
    clause.mode = inputs.mode
    used = inputs.used()
    for name in OBLIGATION_INPUT_FIELDS:
        setattr(clause, name, used.get(name))
    clause.exact_hours = obligation.exact_hours.quantize(Decimal("0.0001"))
    clause.hours_required = obligation.hours
    clause.notes = notes
    clause.full_clean(exclude=["contract", "lot"])
    clause.save()
    after = _clause_snapshot(clause)
    if before != after:
        _record(
            actor=actor,
            contract=contract,
            action="clause_created" if before is None else "clause_updated",
            object_type="clause",
            object_id=clause.pk,
            before=before,
            after=after,
        )
    contract_refresh_hours_required(contract=contract)
    return clause


def _clause_snapshot(clause: Clause) -> dict[str, Any]:
    snapshot = {name: history_value(getattr(clause, name)) for name in OBLIGATION_INPUT_FIELDS}
    snapshot.update(
        legal_basis=clause.legal_basis, mode=clause.mode, hours_required=clause.hours_required
    )
    return {name: value for name, value in snapshot.items() if value is not None}


def contract_refresh_hours_required(*, contract: Contract) -> None:
    total = contract.clauses.aggregate(total=Sum("hours_required"))["total"] or 0
    if contract.hours_required != total:
        contract.hours_required = total
        contract.save(update_fields=["hours_required", "updated_at"])


@transaction.atomic
def contract_create_with_clause(
    *,
    actor: User | None,
    clause: dict[str, Any] | None,
    **contract_fields: Any,
) -> Contract:
    """Create a contract and the clause on the whole contract, all or nothing.

    ``clause`` holds the arguments of ``clause_save`` (legal_basis, inputs, notes), or is
    None for a contract whose clauses are carried by its lots.
    """
    contract = contract_create(actor=actor, **contract_fields)
    if clause is not None:
        clause_save(actor=actor, contract=contract, **clause)
    return contract


@transaction.atomic
def contract_update_with_clause(
    *,
    actor: User | None,
    contract: Contract,
    clause: dict[str, Any] | None,
    **contract_fields: Any,
) -> Contract:
    """Update a contract and (create or update) the clause on the whole contract, all or nothing."""
    contract = contract_update(actor=actor, contract=contract, **contract_fields)
    if clause is not None:
        clause_save(actor=actor, contract=contract, **clause)
    return contract


@transaction.atomic
def lot_create_with_clause(
    *,
    actor: User | None,
    contract: Contract,
    clause: dict[str, Any] | None,
    **lot_fields: Any,
) -> Lot:
    """Create a lot and, if given, its own clause, all or nothing."""
    lot = lot_create(actor=actor, contract=contract, **lot_fields)
    if clause is not None:
        clause_save(actor=actor, contract=contract, lot=lot, **clause)
    return lot
