"""Forms of the hiring needs and referrals pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse

from tremplin.core.models import RomeJobTitle
from tremplin.core.parameters import id_parameter
from tremplin.core.validators import validate_postal_code
from tremplin.inclusion.enums import ExecutionMode, Sex
from tremplin.inclusion.forms import ContractChoiceField, JobChoiceField
from tremplin.inclusion.models import EligibilityCriterion
from tremplin.matching.enums import EmploymentContractType, ReferralStatusChoice
from tremplin.matching.services import reserved_public_problem
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
NO_JOB = "— cherchez le poste ci-dessus —"


class NeedForm(forms.Form):
    contract = ContractChoiceField(
        label="Marché",
        queryset=Contract.objects.none(),
        empty_label="— choisissez un marché —",
    )
    employer = forms.ModelChoiceField(
        label="Employeur",
        queryset=Organisation.objects.none(),
        empty_label="— choisissez l'employeur —",
        help_text="Le titulaire, un cotraitant, un sous-traitant ou le titulaire d'un lot du marché.",
    )
    job = JobChoiceField(
        label="Poste (appellation ROME)", queryset=RomeJobTitle.objects.all(), empty_label=NO_JOB
    )
    positions = forms.IntegerField(label="Nombre de postes", min_value=1, max_value=999, initial=1)
    contract_type = forms.ChoiceField(
        label="Type de contrat",
        choices=[("", "— choisissez —"), *EmploymentContractType.choices],
    )
    start_date = forms.DateField(label="Date de début", widget=DATE_WIDGET)
    duration_months = forms.IntegerField(
        label="Durée (mois)",
        min_value=1,
        max_value=120,
        required=False,
        help_text="Laissez vide pour un CDI.",
    )
    weekly_hours = forms.DecimalField(
        label="Heures par semaine",
        min_value=1,
        max_value=48,
        decimal_places=1,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    place = forms.CharField(
        label="Lieu de travail", max_length=200, help_text="Commune ou chantier."
    )
    postal_code = forms.CharField(
        label="Code postal",
        max_length=10,
        validators=[validate_postal_code],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Il dit à quels prescripteurs le besoin est montré.",
    )
    requirements = forms.CharField(
        label="Prérequis",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Permis, habilitations, savoir-faire attendus…",
    )
    reserved_criteria = forms.ModelMultipleChoiceField(
        label="Réservé aux publics",
        queryset=EligibilityCriterion.objects.none(),
        required=False,
        widget=CHECKBOXES,
        help_text="Laissez vide si le poste est ouvert à tous les publics éligibles.",
    )

    def __init__(
        self,
        *args: Any,
        contracts: QuerySet[Contract],
        employers: QuerySet[Organisation],
        criteria: QuerySet[EligibilityCriterion],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("contract", contracts),
            ("employer", employers),
            ("reserved_criteria", criteria),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
            field.queryset = queryset
        if editing:
            # A need stays on its contract: a need for another contract is another need.
            del self.fields["contract"]
        else:
            self.fields["contract"].widget.attrs.update(
                {
                    "hx-get": reverse("matching:need_employers"),
                    "hx-trigger": "change",
                    "hx-target": "#id_employer",
                    "hx-swap": "innerHTML",
                }
            )
        # The job list holds 11,000 titles: only the chosen one is rendered, the search
        # fills the others in (as on the placement form).
        job_field = self.fields["job"]
        assert isinstance(job_field, JobChoiceField)
        choices: list[tuple[Any, str]] = [("", NO_JOB)]
        chosen = self._raw("job")
        if chosen_id := id_parameter(chosen):
            job = RomeJobTitle.objects.filter(pk=chosen_id).first()
            if job is not None:
                choices = [(job.pk, job_field.label_from_instance(job))]
        job_field.widget.choices = choices

    def offer_jobs(self, jobs: list[RomeJobTitle]) -> None:
        """Offer the titles found by a search (the form sent without JavaScript)."""
        field = self.fields["job"]
        assert isinstance(field, JobChoiceField)
        if jobs:
            field.widget.choices = [
                ("", f"— {len(jobs)} poste(s) trouvé(s) : choisissez —"),
                *((job.pk, field.label_from_instance(job)) for job in jobs),
            ]

    def chosen_contract_id(self) -> int | None:
        value = self._raw("contract")
        return id_parameter(value)

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name)
        return getattr(value, "pk", value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contract_type") == EmploymentContractType.CDI and data.get("duration_months"):
            self.add_error("duration_months", "Un CDI n'a pas de durée : laissez ce champ vide.")
        return data

    def need_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["reserved_criteria"] = list(data["reserved_criteria"])
        return data


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="Ce que l'entreprise doit compléter",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label="Motif de la clôture", max_length=300, required=False)


class ReferralForm(forms.Form):
    prescriber = forms.ModelChoiceField(
        label="Au nom de", queryset=Organisation.objects.none(), empty_label=None
    )
    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_date = forms.DateField(label="Date de naissance", widget=DATE_WIDGET)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices, widget=forms.RadioSelect)
    postal_code = forms.CharField(
        label="Code postal", max_length=10, required=False, validators=[validate_postal_code]
    )
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    vouched_criteria = forms.ModelMultipleChoiceField(
        label="Critères d'éligibilité que vous attestez",
        queryset=EligibilityCriterion.objects.none(),
        required=False,
        widget=CHECKBOXES,
        help_text="Votre attestation servira de justificatif si la personne est recrutée.",
    )
    motivation = forms.CharField(
        label="Votre avis sur la candidature",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui fait de cette personne une bonne candidate ; "
        "l'entreprise le lira si la candidature est présélectionnée.",
    )

    def __init__(
        self,
        *args: Any,
        prescribers: QuerySet[Organisation],
        criteria: QuerySet[EligibilityCriterion],
        reserved: Sequence[EligibilityCriterion] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reserved = list(reserved)
        prescriber_field = self.fields["prescriber"]
        criteria_field = self.fields["vouched_criteria"]
        assert isinstance(prescriber_field, forms.ModelChoiceField)
        assert isinstance(criteria_field, forms.ModelMultipleChoiceField)
        prescriber_field.queryset = prescribers
        criteria_field.queryset = criteria
        if len(prescribers) == 1:
            prescriber_field.widget = forms.HiddenInput()
            self.initial.setdefault("prescriber", prescribers[0].pk)
        if self.reserved:
            criteria_field.required = True
            criteria_field.help_text = (
                "Offre réservée : attestez au moins l'un de ces critères : "
                f"{' ; '.join(criterion.label for criterion in self.reserved)}. "
                + criteria_field.help_text
            )

    def clean_vouched_criteria(self) -> Any:
        vouched = self.cleaned_data["vouched_criteria"]
        if message := reserved_public_problem(self.reserved, vouched):
            raise ValidationError(message, code="reserved_public")
        return vouched

    def referral_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["vouched_criteria"] = list(data["vouched_criteria"])
        return data


MOVE_TARGETS = [
    (ReferralStatusChoice.SHORTLISTED.value, ReferralStatusChoice.SHORTLISTED.label),
    (ReferralStatusChoice.INTERVIEW.value, ReferralStatusChoice.INTERVIEW.label),
    (ReferralStatusChoice.NOT_RETAINED.value, ReferralStatusChoice.NOT_RETAINED.label),
]


class MoveForm(forms.Form):
    target = forms.ChoiceField(label="Étape", choices=MOVE_TARGETS)
    reason = forms.CharField(label="Motif", max_length=300, required=False)


class HireForm(forms.Form):
    start_date = forms.DateField(label="Date d'embauche", widget=DATE_WIDGET)
    execution_mode = forms.ChoiceField(
        label="Modalité d'exécution",
        choices=[("", "— selon le type de contrat du besoin —"), *ExecutionMode.choices],
        required=False,
    )
