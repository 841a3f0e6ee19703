"""Forms of outcomes and ESF entry data: they check the shape of the input; the services
check the dates against the exit, the placements and today."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.inclusion.enums import (
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import Placement

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlacementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Placement) -> str:
        period = f"du {obj.start_date:%d/%m/%Y}" + (
            f" au {obj.end_date:%d/%m/%Y}" if obj.end_date else ", sans date de fin"
        )
        return f"{obj.job.title} chez {obj.employer} — marché {obj.contract.reference}, {period}"


class OutcomeForm(forms.Form):
    moment = forms.ChoiceField(
        label="Moment", choices=OutcomeMoment.choices, widget=forms.RadioSelect
    )
    exit_date = forms.DateField(
        label="Date de sortie",
        widget=DATE_WIDGET,
        help_text="Le dernier jour du parcours (fin de la dernière mise en emploi, en général).",
    )
    observed_on = forms.DateField(
        label="Situation constatée le",
        widget=DATE_WIDGET,
        help_text="À 6 mois : au plus tôt 6 mois après la sortie, à 15 jours près.",
    )
    situation = forms.ChoiceField(label="Situation", choices=[("", "—"), *OutcomeSituation.choices])
    placement = PlacementChoiceField(
        label="Mise en emploi quittée",
        queryset=Placement.objects.none(),
        required=False,
        empty_label="Aucune en particulier",
    )
    employer_name = forms.CharField(
        label="Employeur ou organisme de formation", max_length=250, required=False
    )
    qualification_gained = forms.BooleanField(
        label="A obtenu une qualification pendant le parcours", required=False
    )
    notes = forms.CharField(
        label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, placements: QuerySet[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = placements  # type: ignore[attr-defined]


class EsfEntryForm(forms.Form):
    entered_on = forms.DateField(label="Date d'entrée dans l'opération", widget=DATE_WIDGET)
    labour_status = forms.ChoiceField(
        label="Situation sur le marché du travail à l'entrée",
        choices=[("", "—"), *LabourStatus.choices],
    )
    isced_band = forms.ChoiceField(
        label="Niveau d'éducation à l'entrée (CITE)",
        choices=[("", "—"), *IscedBand.choices],
        help_text="Prérempli d'après le niveau de qualification de la fiche.",
    )
    disability = forms.BooleanField(
        label="Personne handicapée",
        required=False,
        help_text="Coché d'office quand la fiche porte une RQTH, l'AAH ou une pension d'invalidité.",
    )
    other_disadvantage = forms.BooleanField(
        label="Autre personne défavorisée",
        required=False,
        help_text="Sans domicile, ressortissant de pays tiers, origine étrangère, minorité…",
    )
    left_on = forms.DateField(
        label="Date de sortie de l'opération", widget=DATE_WIDGET, required=False
    )
