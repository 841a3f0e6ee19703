"""Forms of the DECP pages. They check the shape of the input; the import checks the file."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.decp.models import DecpRecord
from tremplin.decp.opportunities import (
    MAX_MIN_DURATION_MONTHS,
    MAX_PREFIX_DIGITS,
    MIN_PREFIX_DIGITS,
    CpvPrefix,
    cpv_digits,
    valid_prefix,
)
from tremplin.decp.selectors import record_subcontractors
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.enums import Procedure
from tremplin.procurement.forms import PARTY_KINDS, ContractEditForm, plain


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


# Following a record as a contract ----------------------------------------------------------

# The published procedures (schema v2, and the v1 wordings real files carry), by their
# text without accents nor apostrophes, and procurement's matching choice. Concessions'
# procedures have no match: the facilitator chooses.
PROCEDURES = {
    "procedure adaptee": Procedure.ADAPTED,
    "appel doffres ouvert": Procedure.OPEN_TENDER,
    "appel doffres restreint": Procedure.RESTRICTED_TENDER,
    "procedure avec negociation": Procedure.NEGOTIATED,
    "procedure concurrentielle avec negociation": Procedure.NEGOTIATED,
    "procedure negociee avec mise en concurrence prealable": Procedure.NEGOTIATED,
    "dialogue competitif": Procedure.COMPETITIVE_DIALOGUE,
    "marche passe sans publicite ni mise en concurrence prealable": (
        Procedure.NEGOTIATED_WITHOUT_NOTICE
    ),
    "marche negocie sans publicite ni mise en concurrence prealable": (
        Procedure.NEGOTIATED_WITHOUT_NOTICE
    ),
    "procedure negociee sans publicite ni mise en concurrence prealable": (
        Procedure.NEGOTIATED_WITHOUT_NOTICE
    ),
}


def _plain_text(value: str) -> str:
    """« Appel d'offres ouvert » → « appel doffres ouvert »: to compare published wordings."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    letters = re.sub(r"['’`]", "", letters)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", letters).split())


def procedure_choice(published: str) -> str:
    """Procurement's procedure for a published one, or "" when none matches."""
    return PROCEDURES.get(_plain_text(published), "")


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def execution_end(start: date, duration_months: int) -> date:
    """The last day of a period of ``duration_months`` from ``start`` (18 months from
    1 March 2025 → 31 August 2026)."""
    if duration_months <= 0:
        return start
    return _add_months(start, duration_months) - timedelta(days=1)


def _has(values: Iterable[str], word: str) -> bool:
    return any(word in _plain_text(value) for value in values)


def follow_initial(record: DecpRecord, structures: Sequence[Organisation]) -> dict[str, Any]:
    """The contract form filled from a published record: its buyer, its first holder with
    an organisation as the holder (the others as co-contractors), the subcontractors of
    its subcontracting acts, its object, id, CPV, procedure, amount and dates, and its
    considerations."""
    holders = [
        link.organisation
        for link in record.holder_links.all()
        if link.organisation.kind in PARTY_KINDS
    ]
    cpv = record.cpv_code
    if cpv and not re.fullmatch(r"\d{8}(-\d)?", cpv):
        cpv = cpv_digits(cpv) if len(cpv_digits(cpv)) == 8 else ""
    social, environmental = record.social_considerations, record.environmental_considerations
    initial: dict[str, Any] = {
        "buyer": record.buyer_id,
        "awarded_company": holders[0].pk if holders else None,
        "co_contractors": [organisation.pk for organisation in holders[1:]],
        "subcontractors": [
            organisation.pk
            for organisation in record_subcontractors(record)
            if organisation not in holders
        ],
        "reference": record.identifier[:60],
        "title": " ".join(record.object.split())[:500],
        "cpv_code": cpv,
        "procedure": procedure_choice(record.procedure),
        "amount_excl_tax": plain(record.amount),
        "notified_on": record.notified_on,
        "execution_start": record.notified_on,
        "execution_end": (
            execution_end(record.notified_on, record.duration_months)
            if record.notified_on is not None and record.duration_months is not None
            else None
        ),
        "social_clause": _has(social, "clause sociale"),
        "social_criterion": _has(social, "critere social"),
        "reserved_contract": record.reserved,
        "environmental_clause": _has(environmental, "clause environnementale"),
        "environmental_criterion": _has(environmental, "critere environnemental"),
    }
    if len(structures) == 1:
        initial["facilitator"] = structures[0].pk
    return initial


class FollowContractForm(ContractEditForm):
    """Procurement's contract form, its facilitator structure chosen among the user's
    structures of the record's network. A published procedure with no match leaves the
    procedure to choose rather than showing the first one as if it were known."""

    record: DecpRecord

    def __init__(
        self,
        scope: UserScope,
        *args: Any,
        record: DecpRecord,
        structures: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        self.record = record
        super().__init__(scope, *args, **kwargs)
        facilitator = self.fields["facilitator"]
        assert isinstance(facilitator, forms.ModelChoiceField)
        facilitator.queryset = structures
        own = list(structures)
        self.single_facilitator = own[0] if len(own) == 1 else None
        if self.single_facilitator is not None:
            self.initial["facilitator"] = self.single_facilitator.pk
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.ChoiceField)
        procedure.choices = [("", "Choisissez…"), *Procedure.choices]
        procedure.error_messages["required"] = "Choisissez la procédure du marché."
        if record.procedure:
            procedure.help_text = f"Publiée : « {record.procedure} »."

    def chosen_organisation_ids(self) -> set[int]:
        """The record's buyer and holders are offered, confirmed or not, even when the
        submitted form (which has no initial values) is checked."""
        record = self.record
        parties = {link.organisation_id for link in record.holder_links.all()}
        parties.update(organisation.pk for organisation in record_subcontractors(record))
        return super().chosen_organisation_ids() | {record.buyer_id} | parties
