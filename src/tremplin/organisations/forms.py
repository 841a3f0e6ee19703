"""Forms of the organisation pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.core.validators import validate_postal_code
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    OrganisationKind,
    PrescriberKind,
)
from tremplin.organisations.models import Network, Organisation
from tremplin.organisations.selectors import own_facilitator_structures
from tremplin.organisations.validators import (
    normalise_departments,
    normalise_siret,
    validate_siret,
)

CHOOSE = ("", "Choisissez…")
# Facilitator structures are set up by the administrators, not from these pages.
CREATABLE_KINDS = [
    (value, label)
    for value, label in OrganisationKind.choices
    if value != OrganisationKind.FACILITATOR
]


# The tab of the organisations read in open data that await a facilitator's confirmation.
TO_CONFIRM_TAB = "a_confirmer"


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[
            ("", "Tous"),
            *OrganisationKind.choices,
            (TO_CONFIRM_TAB, "Issues des données ouvertes (à confirmer)"),
        ],
        required=False,
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
    area_departments = forms.CharField(
        label="Départements couverts",
        max_length=200,
        required=False,
        help_text="Codes séparés par des virgules (91, 78). Vide : tout le territoire du "
        "réseau. Le prescripteur voit les offres d'emploi publiées dans ces départements.",
    )
    facilitator = forms.ModelChoiceField(
        label="Suivie par", queryset=Organisation.objects.none(), empty_label=None
    )
    address = forms.CharField(label="Adresse", max_length=250, required=False)
    postal_code = forms.CharField(
        label="Code postal", max_length=10, required=False, validators=[validate_postal_code]
    )
    city = forms.CharField(label="Commune", max_length=120, required=False)
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)

    # Each kind's own field, and the kinds it belongs to.
    KIND_FIELDS = {
        "inclusion_employer_kind": OrganisationKind.INCLUSION_EMPLOYER,
        "buyer_kind": OrganisationKind.BUYER,
        "prescriber_kind": OrganisationKind.PRESCRIBER,
        "area_departments": OrganisationKind.PRESCRIBER,
    }
    REFUSED = {
        "inclusion_employer_kind": "Seul un employeur inclusif a un type de structure inclusive.",
        "buyer_kind": "Seul un acheteur a un type d'acheteur.",
        "prescriber_kind": "Seul un prescripteur a un type de prescripteur.",
        "area_departments": "Seul un prescripteur couvre des départements.",
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

    def clean_area_departments(self) -> str:
        return normalise_departments(self.cleaned_data.get("area_departments", ""))

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


# The time zones of France and its overseas territories, with their usual names.
TIME_ZONE_CHOICES = [
    ("Europe/Paris", "France métropolitaine et Corse — Europe/Paris"),
    ("Indian/Mayotte", "Mayotte — Indian/Mayotte"),
    ("Indian/Reunion", "La Réunion — Indian/Reunion"),
    ("America/Guadeloupe", "Guadeloupe — America/Guadeloupe"),
    ("America/Martinique", "Martinique — America/Martinique"),
    ("America/Cayenne", "Guyane — America/Cayenne"),
    ("America/St_Barthelemy", "Saint-Barthélemy — America/St_Barthelemy"),
    ("America/Marigot", "Saint-Martin — America/Marigot"),
    ("America/Miquelon", "Saint-Pierre-et-Miquelon — America/Miquelon"),
    ("Pacific/Noumea", "Nouvelle-Calédonie — Pacific/Noumea"),
    ("Pacific/Tahiti", "Polynésie française — Pacific/Tahiti"),
    ("Pacific/Wallis", "Wallis-et-Futuna — Pacific/Wallis"),
]
PERCENT = Decimal(100)


def _plain(value: Decimal) -> Decimal:
    """40.0000 → 40, 12.5000 → 12.5: a decimal as a person would type it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class NetworkRulesForm(forms.Form):
    """The shared rules of a network, as its coordinators edit them (percentages typed as
    percentages: 5 for 5 %)."""

    hours_per_fte = forms.IntegerField(
        label="Heures par ETP",
        help_text="1 607 h : durée légale annuelle du travail. 1 820 h : 35 h × 52 semaines.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    default_hourly_cost = forms.DecimalField(
        label="Coût horaire par défaut (€)",
        decimal_places=2,
        localize=True,
        help_text="Coût d'une heure de travail, charges comprises.",
    )
    default_labour_share = forms.DecimalField(
        label="Part de main-d'œuvre par défaut (%)",
        decimal_places=2,
        localize=True,
        help_text="Part du montant du marché consacrée à la main-d'œuvre.",
    )
    default_insertion_rate = forms.DecimalField(
        label="Taux d'insertion par défaut (%)",
        decimal_places=2,
        localize=True,
        help_text="Part des heures de main-d'œuvre réservée à l'insertion.",
    )
    time_zone = forms.ChoiceField(label="Fuseau horaire", choices=TIME_ZONE_CHOICES)
    publishes_open_data = forms.BooleanField(
        label="Publier les données ouvertes du réseau",
        required=False,
        help_text="Chiffres agrégés, sans nom, publiés sans connexion ; "
        "tout effectif de moins de 5 personnes est masqué.",
    )
    eligibility_criteria = forms.ModelMultipleChoiceField(
        label="Publics éligibles retenus par le réseau",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, criteria: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eligibility_criteria"].queryset = criteria
        for name in ("default_hourly_cost", "default_labour_share", "default_insertion_rate"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        zone = self.initial.get("time_zone")
        known = {value for value, _ in TIME_ZONE_CHOICES}
        if zone and zone not in known:  # a zone set elsewhere stays selectable
            self.fields["time_zone"].choices = [*TIME_ZONE_CHOICES, (zone, zone)]

    @staticmethod
    def initial_for(network: Network, accepted: list[Any]) -> dict[str, Any]:
        return {
            "hours_per_fte": network.hours_per_fte,
            "default_hourly_cost": _plain(network.default_hourly_cost),
            "default_labour_share": _plain(network.default_labour_share * PERCENT),
            "default_insertion_rate": _plain(network.default_insertion_rate * PERCENT),
            "time_zone": network.time_zone,
            "publishes_open_data": network.publishes_open_data,
            "eligibility_criteria": [criterion.pk for criterion in accepted],
        }

    def rule_arguments(self) -> dict[str, Any]:
        """The arguments of ``services.network_update_rules`` (ratios as fractions)."""
        data = self.cleaned_data
        return {
            "hours_per_fte": data["hours_per_fte"],
            "default_hourly_cost": data["default_hourly_cost"],
            "default_labour_share": data["default_labour_share"] / PERCENT,
            "default_insertion_rate": data["default_insertion_rate"] / PERCENT,
            "time_zone": data["time_zone"],
            "publishes_open_data": data["publishes_open_data"],
            "eligibility_criteria": list(data["eligibility_criteria"]),
        }
