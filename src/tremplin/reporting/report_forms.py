"""The choices of the impact report: which buyer, which period (GET parameters)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tremplin.organisations.models import Organisation


class ImpactReportForm(forms.Form):
    """Buyer and period of a report. The period is a year, or from/to dates, or everything."""

    acheteur = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Tous les acheteurs",
    )
    annee = forms.TypedChoiceField(
        label="Année",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Les années où des heures ont été validées ; pour une autre période, des dates.",
    )
    du = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        buyers: list[Organisation],
        years: list[int],
        all_buyers_allowed: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["acheteur"]
        field.queryset = Organisation.objects.filter(pk__in=[buyer.pk for buyer in buyers])
        field.choices = [
            *([("", "Tous les acheteurs")] if all_buyers_allowed else []),
            *((buyer.pk, buyer.name) for buyer in buyers),
        ]
        self.fields["annee"].choices = [("", "Toute la période")] + [
            (year, str(year)) for year in years
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            raise ValidationError("La date de fin doit suivre la date de début.")
        return cleaned

    def period(self) -> tuple[date | None, date | None, int | None]:
        """(start, end, year): a year wins over dates; nothing chosen means every period."""
        year = self.cleaned_data.get("annee")
        if year:
            return date(year, 1, 1), date(year, 12, 31), year
        return self.cleaned_data.get("du"), self.cleaned_data.get("au"), None
