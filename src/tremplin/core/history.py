"""Values written in the change history (``ChangeEventBase.before`` / ``after``).

History is JSON: decimals are kept as exact strings ("12.50"), dates and times in ISO 8601.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def history_value(value: object) -> object:
    """A field's value as the history stores it."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(instance: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of ``instance``, as the history stores them."""
    return {name: history_value(getattr(instance, name)) for name in fields}


def only_changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value changed, before and after: an edit's event keeps only those."""
    changed = [name for name in after if before.get(name) != after[name]]
    return (
        {name: before.get(name) for name in changed},
        {name: after[name] for name in changed},
    )
