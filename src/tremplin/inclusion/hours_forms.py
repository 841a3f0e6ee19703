"""The filters of the validated hours list (GET parameters, named as on the indicators page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.inclusion.enums import ExecutionMode
from tremplin.inclusion.forms import MonthField
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.inclusion.selectors import ValidatedHoursFilters
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.title[:60]}"


class ValidatedHoursFilterForm(forms.Form):
    mois = MonthField(label="Mois", required=False)
    du = MonthField(label="Du mois", required=False)
    au = MonthField(label="Au mois", required=False)
    marche = ContractChoiceField(
        label="Marché",
        queryset=Contract.objects.none(),
        required=False,
        empty_label="Tous les marchés",
    )
    acheteur = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tous les acheteurs",
    )
    modalite = forms.ChoiceField(
        label="Modalité d'exécution",
        choices=[("", "Toutes les modalités"), *ExecutionMode.choices],
        required=False,
    )
    critere = forms.ModelChoiceField(
        label="Public éligible (critère confirmé)",
        queryset=EligibilityCriterion.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Tous les publics",
    )
    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Toutes les structures",
    )

    def __init__(
        self,
        *args: Any,
        contracts: QuerySet[Contract],
        buyers: QuerySet[Organisation],
        structures: QuerySet[Organisation],
        criteria: QuerySet[EligibilityCriterion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("marche", contracts),
            ("acheteur", buyers),
            ("structure", structures),
            ("critere", criteria),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def filters(self) -> ValidatedHoursFilters | None:
        """The selector's filters; None when a value is invalid (the list is then empty,
        not silently wider than asked)."""
        if not self.is_bound:
            return ValidatedHoursFilters()
        if not self.is_valid():
            return None
        data = self.cleaned_data
        first: date | None = data.get("du")
        last: date | None = data.get("au")
        if first and last and last < first:
            first, last = last, first
        return ValidatedHoursFilters(
            month=data.get("mois"),
            first_month=first,
            last_month=last,
            contract_id=data["marche"].pk if data.get("marche") else None,
            buyer_id=data["acheteur"].pk if data.get("acheteur") else None,
            execution_mode=data.get("modalite") or "",
            criterion_code=data["critere"].code if data.get("critere") else "",
            structure_id=data["structure"].pk if data.get("structure") else None,
        )

    def is_filtered(self) -> bool:
        return self.is_bound and any(
            value for name, value in self.data.items() if name in self.fields
        )
