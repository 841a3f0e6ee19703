"""Forms of pooled hours: the pool (participant, employer, contracts, rule and shares) and
its sharing rule. A month of a pool is typed in the hours form of ``inclusion.forms``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from tremplin.core.parameters import id_parameter, id_parameters
from tremplin.inclusion.enums import SharingRule
from tremplin.inclusion.forms import DATE_WIDGET, HoursField, PlacementTermsForm
from tremplin.inclusion.models import Participant
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract

SHARE_PREFIX = "part_"


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name.upper()} {obj.first_name} (né(e) le {obj.birth_date:%d/%m/%Y})"


class SharesMixin:
    """Manual shares: one percentage per contract, named ``part_<contract id>``."""

    data: Any
    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]

    def add_share_fields(self, contracts: list[Contract]) -> None:
        for contract in contracts:
            self.fields[f"{SHARE_PREFIX}{contract.pk}"] = HoursField(
                label=f"Part du marché {contract.reference} (%)",
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
            )
            self.fields[f"{SHARE_PREFIX}{contract.pk}"].widget.attrs["class"] = "form-control"

    def share_value(self, contract_id: int) -> Any:
        return self.data.get(f"{SHARE_PREFIX}{contract_id}", "") if self.data else ""

    def manual_percents(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix(SHARE_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(SHARE_PREFIX) and value is not None
        }


class PoolForm(SharesMixin, PlacementTermsForm):
    """A new pool. The contracts offered are the employer's, but any contract the user's
    structures follow is accepted, so that a wrong one gets the service's precise message."""

    participant = ParticipantChoiceField(
        label="Participant",
        queryset=Participant.objects.none(),
        empty_label="— choisissez la personne —",
    )
    employer = forms.ModelChoiceField(
        label="Employeur",
        queryset=Organisation.objects.none(),
        empty_label="— choisissez l'entreprise —",
        help_text="L'entreprise qui doit des heures sur plusieurs marchés et emploie la personne.",
    )
    contracts = forms.ModelMultipleChoiceField(
        label="Marchés entre lesquels répartir les heures",
        queryset=Contract.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins deux marchés."},
    )
    rule = forms.ChoiceField(
        label="Règle de répartition",
        choices=SharingRule.choices,
        initial=SharingRule.PRO_RATA_OBLIGATION,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        participants: QuerySet[Participant],
        employers: QuerySet[Organisation],
        contracts: QuerySet[Contract],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("participant", participants),
            ("employer", employers),
            ("contracts", contracts),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        end_field = self.fields["end_date"]
        end_field.required = True
        end_field.widget = DATE_WIDGET
        end_field.help_text = "Au plus tard la fin d'exécution du marché qui s'achève le premier."
        self.fields["execution_mode"].initial = "direct_cdi"
        self.add_share_fields(list(contracts))
        # Choosing the employer offers its contracts; choosing the manual rule, their
        # share inputs (HTMX).
        refresh = {
            "hx-post": reverse("inclusion:pool_contracts"),
            "hx-trigger": "change",
            "hx-target": "#marches-mutualises",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
        self.fields["employer"].widget.attrs.update(refresh)
        self.fields["rule"].widget.attrs.update(refresh)

    def chosen_employer_id(self) -> int | None:
        value = self._raw("employer")
        return id_parameter(value)

    def chosen_contract_ids(self) -> set[int]:
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("contracts"))
        else:
            values = self.initial.get("contracts", [])
        return id_parameters(values)

    def chosen_rule(self) -> str:
        return str(self._raw("rule") or SharingRule.PRO_RATA_OBLIGATION)


class PoolRuleForm(SharesMixin, forms.Form):
    """Another rule, or other manual shares, for an existing pool."""

    rule = forms.ChoiceField(
        label="Règle de répartition", choices=SharingRule.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, contracts: list[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_share_fields(contracts)
