"""Forms of the spreadsheet import pages. They check the shape of the input; the import
service checks the file (size, kind, header) and the rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from tremplin.inclusion.spreadsheets import FIELDS, IGNORED, Column
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract

ACCEPT = (
    ".xlsx,.xls,.ods,.csv,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet,text/csv"
)


class HoursImportForm(forms.Form):
    file = forms.FileField(
        label="Tableur des heures",
        help_text="Classeur .xlsx, .xls ou .ods, ou fichier .csv (séparateur point-virgule "
        "ou virgule) ; 20 Mo au plus. Une ligne par personne et par mois.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Pour la structure",
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    validate_directly = forms.BooleanField(
        label="Valider directement les heures importées",
        required=False,
        help_text="Sinon, les mois nouveaux ou modifiés attendent votre validation dans "
        "« Heures à valider ».",
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        can_validate: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not can_validate:  # employers declare; only the facilitator validates
            del self.fields["validate_directly"]
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        choices = list(organisations[:2])
        self.single = choices[0] if len(choices) == 1 else None
        if self.single is not None:  # one structure: nothing to choose
            field.initial = self.single.pk
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_organisation(self) -> Organisation | None:
        return self.cleaned_data.get("organisation") or self.single


class ColumnsForm(forms.Form):
    """One choice per column of the file: what it holds, or set aside."""

    CHOICES = [(IGNORED, "Ignorer cette colonne"), *FIELDS.items()]

    def __init__(self, *args: Any, columns: list[Column], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        for column in columns:
            self.fields[self.name_of(column)] = forms.ChoiceField(
                label=f"Colonne {column.letter} : « {column.label} »",
                choices=self.CHOICES,
                initial=column.field or IGNORED,
                required=False,
            )

    @staticmethod
    def name_of(column: Column) -> str:
        return f"colonne_{column.index}"

    def choices(self) -> dict[int, str]:
        return {
            column.index: self.cleaned_data.get(self.name_of(column)) or IGNORED
            for column in self.columns
        }

    def rows(self) -> list[tuple[Column, forms.BoundField]]:
        return [(column, self[self.name_of(column)]) for column in self.columns]


class TemplateChoiceForm(forms.Form):
    marche = forms.ModelChoiceField(
        label="Marché",
        queryset=Contract.objects.none(),
        empty_label="Choisissez un marché",
        error_messages={"invalid_choice": "Choisissez un marché de la liste."},
    )

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["marche"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = contracts
        field.label_from_instance = (
            lambda contract: (  # type: ignore[method-assign]
                f"{contract.reference} — {contract.title[:70]}"
            )
        )
