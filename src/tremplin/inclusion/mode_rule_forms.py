"""The form of a network's counting rules: a weight and a cap for each execution mode."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from tremplin.inclusion.counting import ModeRule
from tremplin.inclusion.mode_rule_selectors import ModeRuleRow

PERCENT = Decimal(100)


def _plain(value: Decimal) -> Decimal:
    """0.50 → 0.5, 30.0000 → 30: a decimal as a person would type it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class ModeRulesForm(forms.Form):
    """Two fields per execution mode: ``<mode>-weight`` and ``<mode>-cap`` (a percentage of
    the contract's required hours, typed as a percentage: 30 for 30 %; empty: no cap)."""

    def __init__(self, *args: Any, rows: list[ModeRuleRow], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                key: value
                for row in rows
                for key, value in (
                    (f"{row.mode}-weight", _plain(row.rule.weight)),
                    (
                        f"{row.mode}-cap",
                        None
                        if row.rule.cap_share is None
                        else _plain(row.rule.cap_share * PERCENT),
                    ),
                )
            },
        )
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row.mode}-weight"] = forms.DecimalField(
                label=f"Coefficient — {row.label}",
                min_value=Decimal(0),
                max_value=Decimal(10),
                decimal_places=2,
                localize=True,
                error_messages={
                    "required": "Indiquez un coefficient (1 : une heure compte pour une heure).",
                    "min_value": "Le coefficient ne peut pas être négatif.",
                    "max_value": "Le coefficient ne peut pas dépasser 10.",
                    "max_decimal_places": "Le coefficient a au plus deux décimales.",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )
            self.fields[f"{row.mode}-cap"] = forms.DecimalField(
                label=f"Plafond (%) — {row.label}",
                required=False,
                min_value=Decimal(0),
                max_value=PERCENT,
                decimal_places=2,
                localize=True,
                error_messages={
                    "min_value": "Le plafond est compris entre 0 et 100 %%.",
                    "max_value": "Le plafond est compris entre 0 et 100 %%.",
                    "max_decimal_places": "Le plafond a au plus deux décimales.",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )

    def field_rows(self) -> list[tuple[ModeRuleRow, forms.BoundField, forms.BoundField]]:
        """Each mode with its two bound fields, for the table of the template."""
        return [(row, self[f"{row.mode}-weight"], self[f"{row.mode}-cap"]) for row in self.rows]

    def rules(self) -> dict[str, ModeRule]:
        """The arguments of ``mode_rule_services.execution_mode_rules_set`` (caps as shares)."""
        data = self.cleaned_data
        result = {}
        for row in self.rows:
            cap = data[f"{row.mode}-cap"]
            result[row.mode] = ModeRule(
                weight=data[f"{row.mode}-weight"],
                cap_share=None if cap is None else cap / PERCENT,
            )
        return result
