"""The columns of a contract list's export, shared by every page that lists contracts."""

from __future__ import annotations

from tremplin.core.exports import Column, Value
from tremplin.procurement import selectors

CONTRACT_EXPORT_COLUMNS = (
    Column("Référence"),
    Column("Objet"),
    Column("Acheteur"),
    Column("Titulaire"),
    Column("Début d'exécution", "date"),
    Column("Fin d'exécution", "date"),
    Column("Heures exigées", "int"),
    Column("Heures validées", "decimal"),
    Column("Heures déclarées", "decimal"),
    Column("Avancement"),
)


def contract_export_row(row: selectors.ContractRow) -> list[Value]:
    contract = row.contract
    company = contract.awarded_company
    return [
        contract.reference,
        contract.title,
        contract.buyer.name,
        company.name if company else "",
        contract.execution_start,
        contract.execution_end,
        contract.hours_required,
        getattr(contract, "validated_hours", None),
        getattr(contract, "declared_hours", None),
        row.status_label,
    ]
