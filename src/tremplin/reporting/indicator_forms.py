"""The filters of the "Indicateurs" page (GET parameters)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django import forms

from tremplin.inclusion.forms import MonthField
from tremplin.reporting.indicators import FilterChoices, ReportFilters

ALL_PERIOD = ""


class IndicatorFilterForm(forms.Form):
    """Period (a year, or from one month to another, or everything), buyer, structure, contract.

    A choice outside the user's scope is not among the choices: it is dropped, never used.
    """

    annee = forms.TypedChoiceField(label="Période", required=False, coerce=int, empty_value=None)
    du = MonthField(label="Du mois", required=False)
    au = MonthField(label="Au mois", required=False)
    acheteur = forms.TypedChoiceField(
        label="Acheteur", required=False, coerce=int, empty_value=None
    )
    structure = forms.TypedChoiceField(
        label="Structure", required=False, coerce=int, empty_value=None
    )
    marche = forms.TypedChoiceField(label="Marché", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["annee"].choices = [(ALL_PERIOD, "Toute la période")] + [
            (year, f"Année {year}") for year in choices.years
        ]
        self.fields["acheteur"].choices = [("", "Tous les acheteurs"), *choices.buyers]
        self.fields["structure"].choices = [("", "Toutes les structures"), *choices.structures]
        self.fields["marche"].choices = [("", "Tous les marchés"), *choices.contracts]

    def _clean_fields(self) -> None:
        super()._clean_fields()
        # A choice that is not offered (another structure's buyer, a stale link) is ignored
        # rather than reported: the page shows what the user may see.
        for name in ("annee", "acheteur", "structure", "marche"):
            if self._errors and name in self._errors:
                del self._errors[name]

    def report_filters(self) -> ReportFilters:
        if not self.is_bound:
            return ReportFilters()  # the whole period, as on the home dashboard
        self.is_valid()
        data = self.cleaned_data
        start: date | None = data.get("du")
        end_month: date | None = data.get("au")
        end = (
            end_month.replace(day=calendar.monthrange(end_month.year, end_month.month)[1])
            if end_month
            else None
        )
        if start and end and end < start:
            start, end = (
                end.replace(day=1),
                start.replace(day=calendar.monthrange(start.year, start.month)[1]),
            )
        if not start and not end and (year := data.get("annee")):
            start, end = date(year, 1, 1), date(year, 12, 31)

        def ids(name: str) -> frozenset[int]:
            value = data.get(name)
            return frozenset({value}) if value else frozenset()

        return ReportFilters(
            start=start,
            end=end,
            buyer_ids=ids("acheteur"),
            structure_ids=ids("structure"),
            contract_ids=ids("marche"),
        )

    @property
    def period_label(self) -> str:
        filters = self.report_filters()
        if filters.start and filters.end:
            if (filters.start.month, filters.start.day, filters.end.month, filters.end.day) == (
                1,
                1,
                12,
                31,
            ) and filters.start.year == filters.end.year:
                return f"année {filters.start.year}"
            return f"du {filters.start:%d/%m/%Y} au {filters.end:%d/%m/%Y}"
        if filters.start:
            return f"depuis le {filters.start:%d/%m/%Y}"
        if filters.end:
            return f"jusqu'au {filters.end:%d/%m/%Y}"
        return "toute la période"

    @property
    def filtered(self) -> bool:
        filters = self.report_filters()
        return any(
            (
                filters.start,
                filters.end,
                filters.buyer_ids,
                filters.structure_ids,
                filters.contract_ids,
            )
        )
