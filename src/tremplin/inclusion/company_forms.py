"""Forms of the company space: declaring a person hired on a contract, and monthly hours.

They check the shape of the input (and the evidence files' type and size); the services
check the rules and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from tremplin.core.validators import validate_postal_code
from tremplin.inclusion.enums import QualificationLevel, Sex
from tremplin.inclusion.evidence import ACCEPT_ATTRIBUTE, validate_evidence_file
from tremplin.inclusion.forms import DATE_WIDGET, HoursField, MonthField, PlacementTermsForm
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Lot

IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "postal_code",
    "city",
    "qpv_resident",
    "qualification_level",
    "email",
    "phone",
    "referred_by",
)
PLACEMENT_FIELDS = ("lot", "execution_mode", "job", "start_date", "end_date")


class EvidenceFileField(forms.FileField):
    """A PDF, JPEG or PNG file of 5 MB at most, recognised by its content."""

    default_validators = [validate_evidence_file]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)


class DeclarationForm(PlacementTermsForm):
    """A person the company employs on a contract: who, why eligible, which job."""

    # Identity (no national identity number, ever).
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
        label="Prescripteur qui a orienté la personne",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="— aucun —",
        help_text="France Travail, Mission locale, Cap emploi… si la personne a été orientée.",
    )
    # The placement.
    employer = forms.ModelChoiceField(
        label="Employeur", queryset=Organisation.objects.none(), empty_label=None
    )
    lot = forms.ModelChoiceField(
        label="Lot", queryset=Lot.objects.none(), required=False, empty_label="— sans lot —"
    )

    def __init__(
        self,
        *args: Any,
        criteria: QuerySet[EligibilityCriterion],
        prescribers: QuerySet[Organisation],
        employers: QuerySet[Organisation],
        lots: QuerySet[Lot],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("referred_by", prescribers),
            ("employer", employers),
            ("lot", lots),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        if len(employers) == 1:
            self.fields["employer"].initial = employers[0].pk
            self.fields["employer"].widget = forms.HiddenInput()
        if not lots:
            self.fields["lot"].widget = forms.HiddenInput()
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        # One checkbox and one file per eligible public the network accepts.
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.BooleanField(
                label=criterion.label, required=False
            )
            self.fields[f"evidence_{criterion.pk}"] = EvidenceFileField(
                label=f"Justificatif : {criterion.evidence_hint or 'pièce justificative'}",
                required=False,
            )

    def criterion_rows(self) -> list[dict[str, Any]]:
        """Each criterion with its checkbox and file field, for the template."""
        return [
            {
                "criterion": criterion,
                "checkbox": self[f"criterion_{criterion.pk}"],
                "file": self[f"evidence_{criterion.pk}"],
            }
            for criterion in self.criteria
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = 0
        for criterion in self.criteria:
            ticked = data.get(f"criterion_{criterion.pk}")
            file_name = f"evidence_{criterion.pk}"
            has_file = bool(data.get(file_name)) or file_name in self.errors
            if ticked:
                chosen += 1
                if not has_file:
                    self.add_error(file_name, "Joignez le justificatif de ce critère.")
            elif data.get(file_name):
                self.add_error(
                    file_name,
                    "Cochez le critère que ce justificatif prouve, ou retirez le fichier.",
                )
        if not chosen:
            raise ValidationError(
                "Cochez au moins un critère d'éligibilité et joignez son justificatif."
            )
        return data

    def participant_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in IDENTITY_FIELDS}

    def placement_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PLACEMENT_FIELDS}

    def declared_criteria(self) -> list[tuple[EligibilityCriterion, str, Any]]:
        """(criterion, evidence described, file) for each ticked criterion."""
        employer = self.cleaned_data["employer"]
        return [
            (
                criterion,
                f"{criterion.evidence_hint or 'Justificatif'} — pièce jointe par {employer.name}",
                self.cleaned_data[f"evidence_{criterion.pk}"],
            )
            for criterion in self.criteria
            if self.cleaned_data.get(f"criterion_{criterion.pk}")
        ]


class CompanyHoursForm(forms.Form):
    """A month's hours, declared by the employer: the facilitator validates them."""

    month = MonthField(label="Mois")
    hours_worked = HoursField(label="Heures travaillées", help_text="Par exemple 151,67.")
    training_hours = HoursField(label="Heures de formation", required=False, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs["max"] = timezone.localdate().strftime("%Y-%m")

    def clean_training_hours(self) -> Any:
        return self.cleaned_data.get("training_hours") or 0


class EvidenceForm(forms.Form):
    """A new piece of evidence for a refused criterion."""

    evidence_file = EvidenceFileField(
        label="Nouveau justificatif",
        error_messages={"required": "Joignez le nouveau justificatif."},
    )
