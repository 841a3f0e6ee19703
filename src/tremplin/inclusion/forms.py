"""Forms of the inclusion pages. They check the shape of the input; the services check
the rules (dates of a contract, overlaps, the month's ceiling) and write."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from tremplin.core.forms import attach_errors
from tremplin.core.models import RomeJobTitle
from tremplin.core.parameters import id_parameter
from tremplin.core.validators import validate_postal_code
from tremplin.inclusion import services
from tremplin.inclusion.enums import ExecutionMode, QualificationLevel, Sex
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract, Lot

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class MonthField(forms.DateField):
    """A month typed in an ``<input type="month">`` (2026-03) or by hand (03/2026)."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "AAAA-MM"})
    input_formats = ["%Y-%m", "%m/%Y", "%m-%Y", "%Y/%m"]
    default_error_messages = {"invalid": "Saisissez un mois valide, par exemple 2026-03."}

    def to_python(self, value: Any) -> datetime.date | None:
        result = super().to_python(value)
        return result.replace(day=1) if result else None


class HoursField(forms.DecimalField):
    """Hours typed the French way ("12,5") or the English way ("12.5")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")


class IdListField(forms.Field):
    """Identifiers sent by a list of checkboxes (``entries=3&entries=7``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError) as error:
            raise ValidationError("Sélection invalide.") from error


# Participants ---------------------------------------------------------------------------


class ParticipantForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        label="Structure de facilitation",
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text="La structure qui accompagne la personne : seuls ses membres la voient.",
    )
    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_date = forms.DateField(label="Date de naissance", widget=DATE_WIDGET)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices, widget=forms.RadioSelect)
    postal_code = forms.CharField(
        label="Code postal", max_length=10, required=False, validators=[validate_postal_code]
    )
    city = forms.CharField(label="Commune", max_length=120, required=False)
    qpv_resident = forms.BooleanField(
        label="Habite un quartier prioritaire de la politique de la ville (QPV)", required=False
    )
    qualification_level = forms.ChoiceField(
        label="Niveau de qualification",
        choices=QualificationLevel.choices,
        initial=QualificationLevel.NONE,
    )
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    referred_by = forms.ModelChoiceField(
        label="Prescripteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="— aucun —",
    )
    notes = forms.CharField(
        label="Observations",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Utiles au suivi uniquement : pas de donnée de santé ni de numéro de sécurité sociale.",
    )
    # Sent by "Créer quand même" once the possible duplicates were shown.
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        structures: QuerySet[Organisation] | None,
        prescribers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        facilitator = self.fields["facilitator"]
        if structures is None:  # an update: the structure does not change here
            del self.fields["facilitator"]
        else:
            assert isinstance(facilitator, forms.ModelChoiceField)
            facilitator.queryset = structures
            if len(structures) == 1:
                facilitator.initial = structures[0].pk
                facilitator.widget = forms.HiddenInput()
        referred_by = self.fields["referred_by"]
        assert isinstance(referred_by, forms.ModelChoiceField)
        referred_by.queryset = prescribers
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def participant_fields(self) -> dict[str, Any]:
        """What the services take, named as on the model."""
        data = dict(self.cleaned_data)
        data.pop("facilitator", None)
        data.pop("confirm_duplicates", None)
        return data


# Eligibility ----------------------------------------------------------------------------


class CriterionForm(forms.Form):
    criterion = forms.ModelChoiceField(
        label="Critère",
        queryset=EligibilityCriterion.objects.none(),
        empty_label="— choisissez un critère —",
    )
    evidence = forms.CharField(
        label="Justificatif",
        max_length=250,
        help_text="La pièce vue, par exemple : attestation CAF du 02/03/2026.",
    )
    checked_on = forms.DateField(label="Vérifié le", widget=DATE_WIDGET)
    valid_until = forms.DateField(
        label="Valable jusqu'au",
        required=False,
        widget=DATE_WIDGET,
        help_text="Laissez vide : la durée de validité du critère s'applique.",
    )

    def __init__(self, *args: Any, criteria: QuerySet[EligibilityCriterion], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("checked_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        criterion = self.fields["criterion"]
        assert isinstance(criterion, forms.ModelChoiceField)
        criterion.queryset = criteria
        self.fields["checked_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checked_on, valid_until = data.get("checked_on"), data.get("valid_until")
        if checked_on and valid_until and valid_until < checked_on:
            self.add_error("valid_until", "La fin de validité précède la date de vérification.")
        return data


# Placements -----------------------------------------------------------------------------


class JobChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.rome_id})"


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.reference} — {obj.title} "
            f"(du {obj.execution_start:%d/%m/%Y} au {obj.execution_end:%d/%m/%Y})"
        )


class PlacementTermsForm(forms.Form):
    """What every placement states, whoever records it: the execution mode, the job and
    the dates. The facilitator's placement form and the company's declaration share it."""

    execution_mode = forms.ChoiceField(
        label="Modalité d'exécution",
        choices=[("", "— choisissez une modalité —"), *ExecutionMode.choices],
    )
    job = JobChoiceField(
        label="Poste (appellation ROME)",
        queryset=RomeJobTitle.objects.all(),
        empty_label="— cherchez le poste ci-dessus —",
    )
    start_date = forms.DateField(label="Début", widget=DATE_WIDGET)
    end_date = forms.DateField(
        label="Fin",
        required=False,
        widget=DATE_WIDGET,
        help_text="Laissez vide si la fin n'est pas connue (CDI, contrat en cours).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The job list holds 11,000 titles: only the chosen one is rendered, the search
        # fills the others in.
        job_field = self.fields["job"]
        assert isinstance(job_field, JobChoiceField)
        choices: list[tuple[Any, str]] = [("", "— cherchez le poste ci-dessus —")]
        chosen = self._raw("job")
        if chosen_id := id_parameter(chosen):
            job = RomeJobTitle.objects.filter(pk=chosen_id).first()
            if job is not None:
                choices = [(job.pk, job_field.label_from_instance(job))]
        job_field.widget.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin précède le début.")
        return data

    def offer_jobs(self, jobs: list[RomeJobTitle]) -> None:
        """Offer the titles found by a search (the form sent without JavaScript)."""
        field = self.fields["job"]
        assert isinstance(field, JobChoiceField)
        if jobs:
            field.widget.choices = [
                ("", f"— {len(jobs)} poste(s) trouvé(s) : choisissez —"),
                *((job.pk, field.label_from_instance(job)) for job in jobs),
            ]

    def _raw(self, name: str) -> Any:
        """The value typed (bound form) or given as initial, before cleaning."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name)
        return getattr(value, "pk", value)


class PlacementForm(PlacementTermsForm):
    contract = ContractChoiceField(
        label="Marché",
        queryset=Contract.objects.none(),
        empty_label="— choisissez un marché —",
    )
    lot = forms.ModelChoiceField(
        label="Lot", queryset=Lot.objects.none(), required=False, empty_label="— sans lot —"
    )
    employer = forms.ModelChoiceField(
        label="Employeur",
        queryset=Organisation.objects.none(),
        empty_label="— choisissez l'employeur —",
        help_text="L'entreprise titulaire, ou la structure qui emploie la personne.",
    )

    def __init__(
        self,
        *args: Any,
        contracts: QuerySet[Contract],
        lots: QuerySet[Lot],
        employers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("contract", contracts), ("lot", lots), ("employer", employers)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        self.fields["contract"].widget.attrs.update(
            {
                "hx-get": reverse("inclusion:placement_lots"),
                "hx-trigger": "change",
                "hx-target": "#id_lot",
                "hx-swap": "innerHTML",
            }
        )

    def offer_lots(self, lots: QuerySet[Lot]) -> None:
        """Show only the chosen contract's lots (any lot of the user's contracts is accepted,
        so that a lot of another contract gets the service's precise message)."""
        field = self.fields["lot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.widget.choices = [("", "— sans lot —"), *((lot.pk, str(lot)) for lot in lots)]

    def chosen_contract_id(self) -> int | None:
        value = self._raw("contract")
        return id_parameter(value)


# Hours ----------------------------------------------------------------------------------


class HoursForm(forms.Form):
    month = MonthField(label="Mois")
    hours_worked = HoursField(label="Heures travaillées", help_text="Par exemple 151,67.")
    training_hours = HoursField(label="Heures de formation", required=False, initial=0)
    validate = forms.BooleanField(
        label="Valider directement",
        required=False,
        help_text="Les heures comptent aussitôt pour la clause ; sinon elles attendent la validation.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs["max"] = timezone.localdate().strftime("%Y-%m")

    def clean_training_hours(self) -> Any:
        return self.cleaned_data.get("training_hours") or 0


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        max_length=300,
        error_messages={"required": "Indiquez le motif du refus."},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Pourquoi rouvrir ce mois",
        max_length=300,
        error_messages={"required": services.REOPEN_REASON_REQUIRED},
    )

    def reopen(self, reopen: Callable[[str], object]) -> list[str]:
        """Call ``reopen`` with the reason typed (a month's or a pooled month's service);
        the French reasons why it was not reopened, none when it was."""
        if self.is_valid():
            try:
                reopen(self.cleaned_data["reason"])
            except ValidationError as error:
                attach_errors(self, error)
        return list(self.errors.get("reason", []) or self.non_field_errors())


class ReviewFilterForm(forms.Form):
    month = MonthField(label="Mois", required=False)
    contract = forms.ModelChoiceField(
        label="Marché",
        queryset=Contract.objects.none(),
        required=False,
        empty_label="Tous les marchés",
    )
    employer = forms.ModelChoiceField(
        label="Employeur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tous les employeurs",
    )

    def __init__(
        self,
        *args: Any,
        contracts: QuerySet[Contract],
        employers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("contract", contracts), ("employer", employers)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments (empty when the form is not valid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "month": data.get("month"),
            "contract_id": data["contract"].pk if data.get("contract") else None,
            "employer_id": data["employer"].pk if data.get("employer") else None,
        }

    def is_filtered(self) -> bool:
        return any(self.filters().values())


class BulkValidateForm(ReviewFilterForm):
    entries = IdListField(required=False)
    everything = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("everything") and not data.get("entries"):
            raise ValidationError("Cochez au moins une déclaration à valider.")
        return data


# Possible duplicates --------------------------------------------------------------------


class MergeForm(forms.Form):
    """Which of two records of one person is kept; the other is merged into it."""

    kept = forms.TypedChoiceField(
        label="Fiche à conserver", coerce=int, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = self.fields["kept"]
        assert isinstance(kept, forms.TypedChoiceField)
        kept.choices = choices
