"""The choices of the funders' reports (GET): the year, and for SPASER the buyer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.organisations.models import Organisation

YEARS_SHOWN = 8


def default_year(today: date) -> int:
    """Funders ask for the last complete year."""
    return today.year - 1


class YearForm(forms.Form):
    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["annee"].choices = [
            (year, str(year)) for year in range(today.year, today.year - YEARS_SHOWN, -1)
        ]

    def year(self) -> int:
        """The chosen year; an invalid or missing one falls back to last year."""
        if self.is_valid() and self.cleaned_data.get("annee"):
            return int(self.cleaned_data["annee"])
        return default_year(self.today)


class SpaserForm(YearForm):
    acheteur = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args: Any, buyers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["acheteur"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buyers
        self.order_fields(["acheteur", "annee"])

    def buyer(self) -> Organisation | None:
        """The chosen buyer, or the first one the user may report on."""
        self.is_valid()
        chosen = self.cleaned_data.get("acheteur") if hasattr(self, "cleaned_data") else None
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
        field = self.fields["acheteur"]
        assert isinstance(field, forms.ModelChoiceField)
        return field.queryset.first()  # type: ignore[no-any-return]
