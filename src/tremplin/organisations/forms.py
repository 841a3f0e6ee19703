"""Forms of the organisation pages."""

from __future__ import annotations

from typing import Any

from django import forms

from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    OrganisationKind,
    PrescriberKind,
)
from tremplin.organisations.models import Organisation
from tremplin.organisations.selectors import own_facilitator_structures
from tremplin.organisations.validators import normalise_siret, validate_siret

CHOOSE = ("", "Choisissez…")
# Facilitator structures are set up by the administrators, not from these pages.
CREATABLE_KINDS = [
    (value, label)
    for value, label in OrganisationKind.choices
    if value != OrganisationKind.FACILITATOR
]


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type", choices=[("", "Tous"), *OrganisationKind.choices], required=False
    )
    q = forms.CharField(label="Rechercher", required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {
            "kind": self.cleaned_data.get("kind", ""),
            "search": self.cleaned_data.get("q", "").strip(),
        }


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label="Type d'organisation", choices=[CHOOSE, *CREATABLE_KINDS])
    name = forms.CharField(label="Raison sociale", max_length=250)
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        required=False,
        help_text="14 chiffres : le SIREN (9) puis le numéro d'établissement (5). Les espaces sont acceptés.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    inclusion_employer_kind = forms.ChoiceField(
        label="Type de structure inclusive",
        choices=[CHOOSE, *InclusionEmployerKind.choices],
        required=False,
    )
    buyer_kind = forms.ChoiceField(
        label="Type d'acheteur", choices=[CHOOSE, *BuyerKind.choices], required=False
    )
    prescriber_kind = forms.ChoiceField(
        label="Type de prescripteur", choices=[CHOOSE, *PrescriberKind.choices], required=False
    )
    facilitator = forms.ModelChoiceField(
        label="Suivie par", queryset=Organisation.objects.none(), empty_label=None
    )
    address = forms.CharField(label="Adresse", max_length=250, required=False)
    postal_code = forms.CharField(label="Code postal", max_length=10, required=False)
    city = forms.CharField(label="Commune", max_length=120, required=False)
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)

    # Each kind's own field, and the kinds it belongs to.
    KIND_FIELDS = {
        "inclusion_employer_kind": OrganisationKind.INCLUSION_EMPLOYER,
        "buyer_kind": OrganisationKind.BUYER,
        "prescriber_kind": OrganisationKind.PRESCRIBER,
    }
    REFUSED = {
        "inclusion_employer_kind": "Seul un employeur inclusif a un type de structure inclusive.",
        "buyer_kind": "Seul un acheteur a un type d'acheteur.",
        "prescriber_kind": "Seul un prescripteur a un type de prescripteur.",
    }

    def __init__(self, scope: UserScope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitators = own_facilitator_structures(scope)
        self.fields["facilitator"].queryset = facilitators
        structures = list(facilitators)
        if len(structures) == 1 and not self.initial.get("facilitator"):
            self.initial["facilitator"] = structures[0].pk
        self.fields[
            "facilitator"
        ].help_text = "La structure de facilitation qui suit cette organisation."

    def clean_siret(self) -> str:
        value = normalise_siret(self.cleaned_data.get("siret", ""))
        validate_siret(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        for name, owner_kind in self.KIND_FIELDS.items():
            if cleaned.get(name) and kind != owner_kind:
                self.add_error(name, self.REFUSED[name])
        if kind == OrganisationKind.INCLUSION_EMPLOYER and not cleaned.get(
            "inclusion_employer_kind"
        ):
            self.add_error(
                "inclusion_employer_kind",
                "Précisez le type de structure inclusive (EI, ACI, AI, ETTI, GEIQ…).",
            )
        return cleaned
