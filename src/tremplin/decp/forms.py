"""Forms of the DECP pages. They check the shape of the input; the import checks the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

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
