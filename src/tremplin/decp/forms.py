"""Forms of the DECP pages. They check the shape of the input; the import checks the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.decp.opportunities import (
    MAX_MIN_DURATION_MONTHS,
    MAX_PREFIX_DIGITS,
    MIN_PREFIX_DIGITS,
    CpvPrefix,
    valid_prefix,
)
from tremplin.organisations.models import Network, Organisation


class DecpImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier DECP",
        help_text="Fichier JSON des données essentielles de la commande publique, au format "
        "2019 (v1) ou 2024 (v2), tel que publié par un profil d'acheteur ou data.gouv.fr.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
        },
    )
    network = forms.ModelChoiceField(
        label="Pour le réseau", queryset=Network.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["network"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = networks
        first = list(networks[:2])
        if len(first) == 1:  # one network: nothing to choose
            field.widget = forms.HiddenInput()
            field.initial = first[0].pk


class RecordFilterForm(forms.Form):
    acheteur = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tous les acheteurs",
    )
    annee = forms.TypedChoiceField(
        label="Année de notification", coerce=int, required=False, empty_value=None
    )
    sociale = forms.BooleanField(label="Avec considération sociale", required=False)

    def __init__(
        self, *args: Any, buyers: QuerySet[Organisation], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        buyer_field = self.fields["acheteur"]
        assert isinstance(buyer_field, forms.ModelChoiceField)
        buyer_field.queryset = buyers
        year_field = self.fields["annee"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [("", "Toutes"), *((year, str(year)) for year in years)]

    def filters(self) -> dict[str, Any]:
        """The filters chosen; a wrong value is ignored rather than shown as an error."""
        self.is_valid()  # fields with a wrong value are left out of cleaned_data
        buyer = self.cleaned_data.get("acheteur")
        return {
            "buyer_id": buyer.pk if buyer else None,
            "year": self.cleaned_data.get("annee"),
            "social_only": bool(self.cleaned_data.get("sociale")),
        }


class OpportunityFilterForm(forms.Form):
    """The filters of the clause opportunities: network, buyer, years, without clause."""

    reseau = forms.ChoiceField(label="Réseau", required=False)
    acheteur = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tout le territoire",
    )
    annee_debut = forms.TypedChoiceField(
        label="De l'année", coerce=int, required=False, empty_value=None
    )
    annee_fin = forms.TypedChoiceField(
        label="À l'année", coerce=int, required=False, empty_value=None
    )
    sans_clause = forms.BooleanField(label="Sans clause seulement", required=False)

    def __init__(
        self,
        *args: Any,
        networks: list[Network],
        buyers: QuerySet[Organisation],
        years: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        network_field = self.fields["reseau"]
        assert isinstance(network_field, forms.ChoiceField)
        network_field.choices = [(network.slug, network.name) for network in networks]
        if len(networks) < 2:  # one network: nothing to choose
            network_field.widget = forms.HiddenInput()
        buyer_field = self.fields["acheteur"]
        assert isinstance(buyer_field, forms.ModelChoiceField)
        buyer_field.queryset = buyers
        for name, empty in (("annee_debut", "Toutes"), ("annee_fin", "Toutes")):
            year_field = self.fields[name]
            assert isinstance(year_field, forms.TypedChoiceField)
            year_field.choices = [("", empty), *((year, str(year)) for year in years)]

    def filters(self) -> dict[str, Any]:
        """The filters chosen; a wrong value is ignored rather than shown as an error.
        Years given the wrong way round are swapped."""
        self.is_valid()
        buyer = self.cleaned_data.get("acheteur")
        year_from = self.cleaned_data.get("annee_debut")
        year_to = self.cleaned_data.get("annee_fin")
        if year_from is not None and year_to is not None and year_from > year_to:
            year_from, year_to = year_to, year_from
        return {
            "buyer_id": buyer.pk if buyer else None,
            "year_from": year_from,
            "year_to": year_to,
            "uncovered_only": bool(self.cleaned_data.get("sans_clause")),
        }


PREFIX_LINE = re.compile(r"^\s*(\d+)(?:\s*[-–—:;|]\s*|\s+|$)(.*?)\s*$")


def prefixes_as_text(prefixes: Iterable[CpvPrefix]) -> str:
    return "\n".join(f"{item.prefix} — {item.label}" for item in prefixes)


class AmountField(forms.DecimalField):
    """An amount in euros as people type it: « 90 000 », « 90000,50 »."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value)
        return super().to_python(value)


class OpportunitySettingsForm(forms.Form):
    """The network's settings; the CPV prefixes are typed one a line: « 45 — Travaux »."""

    cpv_prefixes = forms.CharField(
        label="Travaux et services retenus (préfixes CPV)",
        help_text="Un préfixe par ligne, de 2 à 8 chiffres, suivi de son libellé : "
        "« 45 — Travaux de construction ». Un préfixe plus long l'emporte sur un plus court "
        "(« 909 — Nettoyage » dans « 90 »).",
        widget=forms.Textarea(attrs={"rows": 9, "spellcheck": "false"}),
        error_messages={"required": "Indiquez au moins un préfixe CPV de travaux ou de services."},
    )
    min_amount = AmountField(
        label="Montant minimal HT (€)",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": "Indiquez un montant minimal (0 pour aucun).",
            "invalid": "Saisissez un montant, par exemple 90000.",
            "min_value": "Le montant minimal ne peut pas être négatif.",
            "max_digits": "Ce montant est trop grand.",
            "max_whole_digits": "Ce montant est trop grand.",
            "max_decimal_places": "Le montant a au plus deux décimales.",
        },
    )
    min_duration_months = forms.IntegerField(
        label="Durée minimale (mois)",
        min_value=0,
        max_value=MAX_MIN_DURATION_MONTHS,
        error_messages={
            "required": "Indiquez une durée minimale (0 pour aucune).",
            "invalid": "Saisissez un nombre de mois entier.",
            "min_value": "La durée minimale ne peut pas être négative.",
            "max_value": f"La durée minimale ne dépasse pas {MAX_MIN_DURATION_MONTHS} mois.",
        },
    )

    def clean_cpv_prefixes(self) -> list[CpvPrefix]:
        text: str = self.cleaned_data["cpv_prefixes"]
        prefixes: list[CpvPrefix] = []
        errors: list[str] = []
        seen: set[str] = set()
        lines = [line for line in text.splitlines() if line.strip()]
        for position, line in enumerate(lines, start=1):
            match = PREFIX_LINE.match(line)
            prefix, label = (match.group(1), match.group(2)) if match else (line.split()[0], "")
            if not valid_prefix(prefix):
                errors.append(
                    f"Ligne {position} : « {prefix} » n'est pas un préfixe CPV "
                    f"(de {MIN_PREFIX_DIGITS} à {MAX_PREFIX_DIGITS} chiffres)."
                )
                continue
            if prefix in seen:
                errors.append(f"Ligne {position} : le préfixe « {prefix} » est en double.")
                continue
            if not label:
                errors.append(f"Ligne {position} : donnez un libellé au préfixe « {prefix} ».")
                continue
            seen.add(prefix)
            prefixes.append(CpvPrefix(prefix, label[:120]))
        if errors:
            raise forms.ValidationError(errors)
        if not prefixes:
            raise forms.ValidationError(
                "Indiquez au moins un préfixe CPV de travaux ou de services."
            )
        return prefixes
