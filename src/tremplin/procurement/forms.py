"""Forms of the contract pages: the contract, its lots and the clause that carries the hours.

Percentages are typed as percentages (5 for 5 %) and handed to the services as ratios
(0.05). Numbers accept the French way of typing them: ``1 000 000,50``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.organisations.selectors import organisations_of_kinds, own_facilitator_structures
from tremplin.procurement.enums import (
    ContractForm,
    LegalBasis,
    ObligationModeChoice,
    Procedure,
    ProgressStatusChoice,
)
from tremplin.procurement.explain import explain
from tremplin.procurement.models import Clause, Contract, validate_cpv
from tremplin.procurement.obligation import (
    INPUT_LABELS,
    RATIO_INPUTS,
    REQUIRED_INPUTS,
    Obligation,
    ObligationInputError,
    ObligationInputs,
    ObligationMode,
    compute_obligation,
)
from tremplin.procurement.selectors import buyers_of_visible_contracts, operations_visible_to

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERCENT_FACTOR = Decimal(100)


def plain(value: Decimal | None) -> Decimal | None:
    """A decimal without its trailing zeros (40.0000 → 40), for form initial values."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way: spaces between thousands, a comma before decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 14)
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "invalid": "Saisissez un nombre, par exemple 1 250 000 ou 12,5.",
                "max_decimal_places": "Pas plus de %(max)s chiffres après la virgule.",
                "max_digits": "Ce nombre est trop grand.",
                "max_whole_digits": "Ce nombre est trop grand.",
            }
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        attrs.pop("step", None)
        return attrs

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = _SPACES.sub("", value).replace(",", ".")
        return super().to_python(value)  # type: ignore[no-any-return]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return plain(value)
        return value


def _not_negative(message: str, **kwargs: Any) -> FrenchDecimalField:
    field = FrenchDecimalField(min_value=Decimal(0), **kwargs)
    field.error_messages["min_value"] = message
    return field


def _positive(**kwargs: Any) -> FrenchDecimalField:
    field = FrenchDecimalField(min_value=Decimal("0.01"), **kwargs)
    field.error_messages["min_value"] = "La valeur doit être supérieure à zéro."
    return field


class PercentField(FrenchDecimalField):
    """A percentage between 0 and 100, typed as such (5 for 5 %)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("max_digits", 5)
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "min_value": "Un pourcentage ne peut pas être négatif.",
                "max_value": "Un pourcentage ne peut pas dépasser 100 %%.",
            }
        )


def decimal_from(data: Any, name: str) -> Decimal | None:
    """The decimal typed in ``data[name]``, or None when it is empty or not a number."""
    try:
        return FrenchDecimalField().clean(data.get(name))
    except ValidationError:
        return None


# The clause --------------------------------------------------------------------------------


class ClauseForm(forms.Form):
    """How many insertion hours a clause requires: its legal basis, mode and inputs.

    ``no_clause_label`` allows leaving the mode empty (no clause); without it a mode is
    required. ``fallback_amount`` is used when the amount is left empty (the contract's or
    the lot's amount).
    """

    legal_basis = forms.ChoiceField(
        label="Fondement juridique",
        choices=[("", "Choisissez…"), *LegalBasis.choices],
        required=False,
    )
    mode = forms.ChoiceField(label="Mode de calcul", required=False)
    amount = _not_negative("Le montant ne peut pas être négatif.")
    labour_share = PercentField()
    insertion_rate = PercentField()
    hourly_cost = _positive(max_digits=8)
    invoiced_amount = _not_negative("Le montant ne peut pas être négatif.")
    euros_per_hour = _positive()
    hours_worked = _not_negative("Un nombre d'heures ne peut pas être négatif.")
    share_of_hours = PercentField()
    fixed_hours = _not_negative("Un nombre d'heures ne peut pas être négatif.")
    notes = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Facultatif : ce que la clause prévoit de particulier.",
    )

    LABELS = {
        "amount": "Montant HT (€)",
        "labour_share": "Part de main-d'œuvre (%)",
        "insertion_rate": "Taux d'insertion (%)",
        "hourly_cost": "Coût horaire (€)",
        "invoiced_amount": "Montant facturé HT (€)",
        "euros_per_hour": "Euros facturés pour une heure d'insertion",
        "hours_worked": "Heures travaillées sur le marché",
        "share_of_hours": "Part des heures travaillées (%)",
        "fixed_hours": "Nombre d'heures",
    }

    def __init__(
        self,
        *args: Any,
        no_clause_label: str | None = None,
        fallback_amount: Decimal | None = None,
        fallback_amount_label: str = "le montant du marché",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "clause")
        super().__init__(*args, **kwargs)
        self.no_clause_label = no_clause_label
        self.fallback_amount = fallback_amount
        self.fallback_label = fallback_amount_label
        self.obligation: Obligation | None = None
        choices = list(ObligationModeChoice.choices)
        if no_clause_label:
            choices.insert(0, ("", no_clause_label))
        self.fields["mode"].choices = choices
        self.fields["mode"].required = no_clause_label is None
        self.fields["mode"].error_messages["required"] = "Choisissez un mode de calcul."
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self.fields["amount"].help_text = f"Laissé vide : {fallback_amount_label}."
        self.fields[
            "euros_per_hour"
        ].help_text = "Par exemple 2 000 pour une heure par 2 000 € facturés."

    @classmethod
    def initial_for(cls, *, network: Network | None, clause: Clause | None) -> dict[str, Any]:
        """Initial values: the clause's own, or the network's defaults for a new clause."""
        if clause is not None:
            initial: dict[str, Any] = {
                "legal_basis": clause.legal_basis,
                "mode": clause.mode,
                "notes": clause.notes,
            }
            for name in cls.LABELS:
                value = getattr(clause, name)
                if value is not None and name in RATIO_INPUTS:
                    value = value * PERCENT_FACTOR
                initial[name] = plain(value)
            return initial
        initial = {
            "legal_basis": LegalBasis.EXECUTION_CONDITION,
            "mode": ObligationModeChoice.AMOUNT_BASED,
        }
        if network is not None:
            initial["labour_share"] = plain(network.default_labour_share * PERCENT_FACTOR)
            initial["insertion_rate"] = plain(network.default_insertion_rate * PERCENT_FACTOR)
            initial["hourly_cost"] = plain(network.default_hourly_cost)
        return initial

    def input_fields(self) -> Iterator[tuple[forms.BoundField, str]]:
        """Each input with the modes that use it (the page shows only the chosen mode's)."""
        for name in self.LABELS:
            modes = " ".join(mode for mode, used in REQUIRED_INPUTS.items() if name in used)
            yield self[name], modes

    @property
    def has_clause(self) -> bool:
        return bool(self.is_bound and self.cleaned_data.get("mode"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("mode")
        used = REQUIRED_INPUTS[ObligationMode(mode)] if mode else ()
        # An input the chosen mode does not use is ignored, whatever was typed in it.
        for name in self.LABELS:
            if name not in used:
                self.errors.pop(name, None)
                cleaned[name] = None
        if not mode:
            return cleaned
        if not cleaned.get("legal_basis") and "legal_basis" not in self.errors:
            self.add_error("legal_basis", "Choisissez le fondement juridique de la clause.")
        if any(name in self.errors for name in used):
            return cleaned
        values: dict[str, Decimal | None] = {}
        for name in used:
            value = cleaned.get(name)
            if name == "amount" and value is None:
                value = self.fallback_amount
            if value is not None and name in RATIO_INPUTS:
                value = value / PERCENT_FACTOR
            values[name] = value
        if "amount" in values and values["amount"] is None:
            self.add_error(
                "amount", f"Saisissez le montant HT de la clause ou {self.fallback_label}."
            )
            return cleaned
        inputs = ObligationInputs(mode=ObligationMode(mode), **values)  # type: ignore[arg-type]
        try:
            self.obligation = compute_obligation(inputs)
        except ObligationInputError as error:
            for name, message in error.errors.items():
                self.add_error(name, message)
        return cleaned

    def clause_arguments(self) -> dict[str, Any] | None:
        """The arguments of ``services.clause_save`` (None when no clause is wanted)."""
        if not self.has_clause or self.obligation is None:
            return None
        return {
            "legal_basis": self.cleaned_data["legal_basis"],
            "inputs": self.obligation.inputs,
            "notes": self.cleaned_data.get("notes", ""),
        }

    def input_errors(self) -> list[str]:
        """The errors in French, each prefixed by the name of its input (for the preview)."""
        messages = []
        for name, errors in self.errors.items():
            label = INPUT_LABELS.get(name) or str(self.fields[name].label).lower()
            messages.extend(
                f"{label[:1].upper()}{label[1:]} : {error[:1].lower()}{error[1:]}"
                for error in errors
            )
        return messages

    def preview_context(self) -> dict[str, Any]:
        """What the obligation preview box shows for this bound form."""
        self.is_valid()
        if self.obligation is None:
            has_mode = bool(self.data.get(self.add_prefix("mode")))
            return {"explanation": None, "errors": self.input_errors(), "has_mode": has_mode}
        return {"explanation": explain(self.obligation), "errors": [], "has_mode": True}


# The contract ------------------------------------------------------------------------------

PARTY_KINDS = (OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER)
CONSIDERATIONS = (
    "social_clause",
    "social_criterion",
    "reserved_contract",
    "environmental_clause",
    "environmental_criterion",
)


class ContractEditForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        label="Structure de facilitation", queryset=Organisation.objects.none()
    )
    buyer = forms.ModelChoiceField(label="Acheteur", queryset=Organisation.objects.none())
    operation = forms.ModelChoiceField(
        label="Opération",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Facultatif : le projet de l'acheteur dont le marché fait partie.",
    )
    reference = forms.CharField(label="Référence", max_length=60)
    title = forms.CharField(label="Objet", max_length=500)
    cpv_code = forms.CharField(
        label="Code CPV",
        max_length=12,
        required=False,
        help_text="8 chiffres, suivis ou non de la clé : 45214200 ou 45214200-2.",
    )
    procedure = forms.ChoiceField(label="Procédure", choices=Procedure.choices)
    form = forms.ChoiceField(
        label="Forme du marché", choices=ContractForm.choices, initial=ContractForm.SINGLE
    )
    amount_excl_tax = _not_negative(
        "Le montant ne peut pas être négatif.", label="Montant HT (€)", required=True
    )
    notified_on = forms.DateField(label="Notifié le", required=False, widget=DATE_WIDGET)
    execution_start = forms.DateField(label="Début d'exécution", widget=DATE_WIDGET)
    execution_end = forms.DateField(label="Fin d'exécution", widget=DATE_WIDGET)
    awarded_company = forms.ModelChoiceField(
        label="Titulaire", queryset=Organisation.objects.none(), required=False
    )
    co_contractors = forms.ModelMultipleChoiceField(
        label="Cotraitants",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    subcontractors = forms.ModelMultipleChoiceField(
        label="Sous-traitants",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    social_clause = forms.BooleanField(label="Clause sociale", required=False, initial=True)
    social_criterion = forms.BooleanField(label="Critère social", required=False)
    reserved_contract = forms.BooleanField(label="Marché réservé", required=False)
    environmental_clause = forms.BooleanField(label="Clause environnementale", required=False)
    environmental_criterion = forms.BooleanField(label="Critère environnemental", required=False)

    def __init__(self, scope: UserScope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitators = own_facilitator_structures(scope)
        self.fields["facilitator"].queryset = facilitators
        self.fields["buyer"].empty_label = "Choisissez…"
        self.fields["operation"].empty_label = "Aucune"
        self.fields["awarded_company"].empty_label = "Pas encore attribué"
        for name in ("co_contractors", "subcontractors"):
            self.fields[name].help_text = "Ctrl (ou Cmd) + clic pour en choisir plusieurs."
        structures = list(facilitators)
        if len(structures) == 1 and not self.initial.get("facilitator"):
            self.initial["facilitator"] = structures[0].pk
        self.single_facilitator = structures[0] if len(structures) == 1 else None
        chosen = self.chosen_organisation_ids()
        companies = organisations_of_kinds(scope, *PARTY_KINDS, also=chosen)
        self.fields["buyer"].queryset = organisations_of_kinds(
            scope, OrganisationKind.BUYER, also=chosen
        )
        self.fields["awarded_company"].queryset = companies
        self.fields["co_contractors"].queryset = companies
        self.fields["subcontractors"].queryset = companies
        operation = self.fields["operation"]
        operation.queryset = operations_visible_to(scope)
        operation.label_from_instance = lambda op: f"{op.name} ({op.buyer.name})"  # type: ignore[attr-defined]

    def chosen_organisation_ids(self) -> set[int]:
        """The parties the form starts from: offered even if read in open data and not yet
        confirmed (the pickers leave those out otherwise)."""
        chosen: set[int] = set()
        for name in ("buyer", "awarded_company", "co_contractors", "subcontractors"):
            value = self.initial.get(name)
            values = value if isinstance(value, list | tuple | set) else [value]
            chosen.update(getattr(item, "pk", item) for item in values if item)
        return chosen

    @staticmethod
    def initial_for(contract: Contract) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(contract, name)
            for name in (
                "reference",
                "title",
                "cpv_code",
                "procedure",
                "form",
                "notified_on",
                "execution_start",
                "execution_end",
                *CONSIDERATIONS,
            )
        }
        initial.update(
            facilitator=contract.facilitator_id,
            buyer=contract.buyer_id,
            operation=contract.operation_id,
            awarded_company=contract.awarded_company_id,
            amount_excl_tax=plain(contract.amount_excl_tax),
            co_contractors=[organisation.pk for organisation in contract.co_contractors.all()],
            subcontractors=[organisation.pk for organisation in contract.subcontractors.all()],
        )
        return initial

    def clean_cpv_code(self) -> str:
        value: str = _SPACES.sub("", self.cleaned_data.get("cpv_code", ""))
        if value:
            validate_cpv(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("execution_start"), cleaned.get("execution_end")
        if start and end and end < start:
            self.add_error("execution_end", "La fin d'exécution précède son début.")
        notified = cleaned.get("notified_on")
        if notified and end and notified > end:
            self.add_error("notified_on", "La notification ne peut pas suivre la fin d'exécution.")
        operation, buyer = cleaned.get("operation"), cleaned.get("buyer")
        if operation and buyer and operation.buyer_id != buyer.pk:
            self.add_error("operation", "Cette opération appartient à un autre acheteur.")
        holder = cleaned.get("awarded_company")
        for name in ("co_contractors", "subcontractors"):
            if holder and holder in (cleaned.get(name) or []):
                self.add_error(name, "Le titulaire ne peut pas être aussi son propre partenaire.")
        return cleaned

    def contract_arguments(self) -> dict[str, Any]:
        """The arguments of ``services.contract_create`` / ``contract_update``."""
        data = dict(self.cleaned_data)
        data["co_contractors"] = list(data["co_contractors"])
        data["subcontractors"] = list(data["subcontractors"])
        return data


class LotForm(forms.Form):
    number = forms.IntegerField(label="Numéro du lot", min_value=1, max_value=32767)
    title = forms.CharField(label="Intitulé", max_length=300)
    amount_excl_tax = _not_negative("Le montant ne peut pas être négatif.", label="Montant HT (€)")
    awarded_company = forms.ModelChoiceField(
        label="Titulaire", queryset=Organisation.objects.none(), required=False
    )

    def __init__(
        self, scope: UserScope, *args: Any, taken_numbers: frozenset[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.taken_numbers = taken_numbers
        self.fields["awarded_company"].queryset = organisations_of_kinds(scope, *PARTY_KINDS)
        self.fields["awarded_company"].empty_label = "Non renseigné"
        self.fields["number"].error_messages["min_value"] = "Les lots se numérotent à partir de 1."

    def clean_number(self) -> int:
        number: int = self.cleaned_data["number"]
        if number in self.taken_numbers:
            raise ValidationError("Ce marché a déjà un lot portant ce numéro.")
        return number


class ContractFilterForm(forms.Form):
    """The filters of the contract list (GET): text, buyer, year, progress status, clause."""

    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    buyer = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tous les acheteurs",
    )
    year = forms.TypedChoiceField(label="Année d'exécution", required=False, coerce=int)
    status = forms.ChoiceField(
        label="Avancement",
        required=False,
        choices=[("", "Tous les états"), *ProgressStatusChoice.choices],
    )
    clause = forms.ChoiceField(
        label="Clause",
        required=False,
        choices=[("", "Avec ou sans clause"), ("with", "Avec clause"), ("without", "Sans clause")],
    )

    def __init__(self, scope: UserScope, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers_of_visible_contracts(scope)
        self.fields["year"].choices = [("", "Toutes les années")] + [
            (year, str(year)) for year in years
        ]
        self.fields["q"].widget.attrs["placeholder"] = "Référence, objet ou acheteur"

    def filters(self) -> dict[str, Any]:
        """The valid filters, by the names of ``selectors.contract_listing``."""
        self.is_valid()  # an invalid filter is dropped, the valid ones still apply
        buyer = self.cleaned_data.get("buyer")
        return {
            "buyer_id": buyer.pk if buyer else None,
            "search": self.cleaned_data.get("q", "").strip(),
            "year": self.cleaned_data.get("year") or None,
            "status": self.cleaned_data.get("status", ""),
            "clause": self.cleaned_data.get("clause", ""),
        }
