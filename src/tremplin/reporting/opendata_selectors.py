"""Open data: the public, anonymous figures of a network and of each of its buyers.

No user scope here: the pages are public, so nothing personal may leave this module.
Figures come from ``indicators.impact_report`` (the same numbers as the dashboards) and
every count or hours figure resting on 1 to 4 persons is masked by ``anonymity``.
Hours tables need the persons behind each row to be masked, which the report's series do
not carry: they are computed here by one grouped query each (hours and distinct persons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear

from tremplin.core.definitions import PEOPLE_WITH_HOURS
from tremplin.core.exports import Column, Value
from tremplin.core.fte import whole_full_time_equivalents
from tremplin.inclusion.enums import ExecutionMode, HoursStatus
from tremplin.inclusion.models import HoursEntry
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting.anonymity import (
    THRESHOLD,
    MaskedSeries,
    Row,
    mask_counts,
    mask_series,
    mask_total,
)
from tremplin.reporting.indicators import ReportFilters, Series, impact_report
from tremplin.reporting.opendata_schema import PURCHASING_FIELDS
from tremplin.reporting.purchasing import (
    SOCIAL_TARGET,
    Purchasing,
    YearIndicators,
    points,
)
from tremplin.reporting.purchasing_selectors import network_records, purchasing_of

LICENCE_NAME = "Licence Ouverte 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


# --- Networks and buyers that publish ---------------------------------------------------


def published_networks() -> QuerySet[Network]:
    return Network.objects.filter(publishes_open_data=True).order_by("name")


def published_network(slug: str) -> Network:
    """The network if it publishes its open data; raises Network.DoesNotExist otherwise."""
    return published_networks().get(slug=slug)


def network_contracts(network: Network) -> QuerySet[Contract]:
    return Contract.objects.filter(facilitator__network=network)


def network_buyers(network: Network) -> list[Organisation]:
    """The buyers that hold at least one contract followed by the network."""
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.BUYER,
            pk__in=network_contracts(network).values("buyer_id"),
        ).order_by("name")
    )


def network_buyer(network: Network, pk: int) -> Organisation:
    """A buyer of the network's contracts; raises Organisation.DoesNotExist otherwise."""
    return Organisation.objects.get(
        pk=pk,
        kind=OrganisationKind.BUYER,
        pk__in=network_contracts(network).values("buyer_id"),
    )


def available_years(contracts: QuerySet[Contract]) -> list[int]:
    """The years with validated hours, most recent first: the choices of the year filter."""
    years = (
        _validated_hours(contracts, None)
        .annotate(year=ExtractYear("month"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


# --- The published figures ----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A headline figure; ``value`` is None when masked."""

    key: str
    label: str
    unit: str
    value: int | Decimal | None

    @property
    def masked(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PublishedSeries:
    """A chart and its table, after statistical secrecy."""

    key: str
    title: str
    unit: str
    data: MaskedSeries[int] | MaskedSeries[Decimal]
    note: str = ""

    @property
    def max_shown(self) -> Decimal:
        values = [Decimal(cell.value) for cell in self.data.cells if cell.value is not None]
        return max(values, default=Decimal(0))

    @property
    def bars(self) -> list[tuple[str, str, int | Decimal | None, int]]:
        """(key, label, value or None, width in percent of the largest shown value)."""
        largest = self.max_shown
        result: list[tuple[str, str, int | Decimal | None, int]] = []
        for cell in self.data.cells:
            width = 0
            if cell.value is not None and largest > 0:
                width = int(Decimal(cell.value) * 100 / largest)
            result.append((cell.key, cell.label, cell.value, width))
        return result


@dataclass(frozen=True)
class OpenData:
    network: Network
    buyer: Organisation | None
    year: int | None
    hours_per_fte: int
    figures: list[Figure]
    series: list[PublishedSeries] = field(default_factory=list)
    # Responsible purchasing: contracts, not persons, so nothing is masked.
    purchasing: Purchasing = field(default_factory=lambda: Purchasing(years=[], undated=0))

    @property
    def purchasing_years(self) -> list[YearIndicators]:
        """The years published: the one asked for, or every year known."""
        if self.year is None:
            return self.purchasing.years
        return [self.purchasing.of_year(self.year)]

    @property
    def by_key(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}


def _validated_hours(contracts: QuerySet[Contract], year: int | None) -> QuerySet[HoursEntry]:
    entries = HoursEntry.objects.filter(
        status=HoursStatus.VALIDATED, placement__contract__in=contracts.values("pk")
    )
    if year is not None:
        entries = entries.filter(month__year=year)
    return entries


def _hours_rows(entries: QuerySet[HoursEntry], group: str) -> list[dict[str, object]]:
    """Hours and distinct persons per ``group``, one query."""
    return list(
        entries.order_by()
        .values(group)
        .annotate(hours=Sum("total_hours"), persons=Count("placement__participant", distinct=True))
        .order_by(group)
    )


def _hours_series(
    key: str, title: str, rows: list[Row[Decimal]], total_persons: int
) -> PublishedSeries:
    return PublishedSeries(
        key=key,
        title=title,
        unit="heures",
        data=mask_series(rows, total_persons=total_persons),
    )


def _count_series(
    key: str, series: Series, *, total: int, additive: bool = True
) -> PublishedSeries:
    rows = [(bar.key, bar.label, int(bar.value)) for bar in series.bars]
    return PublishedSeries(
        key=key,
        title=series.title,
        unit="personnes",
        data=mask_counts(rows, total=total, additive=additive),
        note=series.note,
    )


def open_data(
    network: Network, *, buyer: Organisation | None = None, year: int | None = None, today: date
) -> OpenData:
    """The published figures of ``network`` (or of one of its buyers), for a year or all."""
    contracts = network_contracts(network)
    if buyer is not None:
        contracts = contracts.filter(buyer=buyer)
    filters = ReportFilters(
        start=date(year, 1, 1) if year else None, end=date(year, 12, 31) if year else None
    )
    report = impact_report(
        contracts,
        filters=filters,
        hours_per_fte=network.hours_per_fte,
        today=today,
        link_rows=False,
    )
    entries = _validated_hours(contracts, year)
    persons = entries.aggregate(persons=Count("placement__participant", distinct=True))["persons"]
    hours = mask_total(report.hours_validated, persons)
    figures = [
        Figure("heures_insertion", "Heures d'insertion réalisées", "heures", hours),
        Figure(
            "etp",
            "Équivalents temps plein",
            "ETP",
            None
            if hours is None
            else whole_full_time_equivalents(report.hours_validated, network.hours_per_fte),
        ),
        Figure(
            "marches_avec_clause",
            "Marchés avec une clause sociale",
            "marchés",
            report.contracts_with_clause,
        ),
        Figure(
            "participants",
            PEOPLE_WITH_HOURS.label,
            "personnes",
            mask_total(report.participants, report.participants),
        ),
        Figure("acheteurs", "Acheteurs", "acheteurs", report.buyers),
        Figure("entreprises", "Entreprises", "entreprises", report.companies),
        Figure("heures_exigees", "Heures d'insertion exigées", "heures", report.hours_required),
    ]

    series = [
        _hours_series(
            "heures_par_annee",
            "Heures par année",
            [
                Row(
                    key=str(row["year"]),
                    label=str(row["year"]),
                    value=Decimal(str(row["hours"])),
                    persons=int(str(row["persons"])),
                )
                for row in _hours_rows(entries.annotate(year=ExtractYear("month")), "year")
            ],
            persons,
        )
    ]
    if buyer is None:
        series.append(
            _hours_series(
                "heures_par_acheteur",
                "Heures par acheteur",
                [
                    Row(
                        key=str(row["placement__contract__buyer_id"]),
                        label=str(row["placement__contract__buyer__name"]),
                        value=Decimal(str(row["hours"])),
                        persons=int(str(row["persons"])),
                    )
                    for row in entries.order_by()
                    .values("placement__contract__buyer_id", "placement__contract__buyer__name")
                    .annotate(
                        hours=Sum("total_hours"),
                        persons=Count("placement__participant", distinct=True),
                    )
                    .order_by("placement__contract__buyer__name")
                ],
                persons,
            )
        )
    modes = dict(ExecutionMode.choices)
    series.append(
        _hours_series(
            "heures_par_modalite",
            "Heures par modalité d'exécution",
            [
                Row(
                    key=str(row["placement__execution_mode"]),
                    label=str(
                        modes.get(
                            str(row["placement__execution_mode"]),
                            row["placement__execution_mode"],
                        )
                    ),
                    value=Decimal(str(row["hours"])),
                    persons=int(str(row["persons"])),
                )
                for row in _hours_rows(entries, "placement__execution_mode")
            ],
            persons,
        )
    )
    series += [
        _count_series("participants_par_sexe", report.participants_by_sex, total=persons),
        _count_series(
            "participants_par_tranche_age", report.participants_by_age_band, total=persons
        ),
        _count_series(
            "participants_par_public",
            report.participants_by_criterion,
            total=persons,
            additive=False,
        ),
    ]
    return OpenData(
        network=network,
        buyer=buyer,
        year=year,
        hours_per_fte=network.hours_per_fte,
        figures=figures,
        series=series,
        purchasing=purchasing_of(contracts, network_records(network, buyer)),
    )


# The figures a visitor of the public home reads for each network: the network page's own
# (all years), so the same label gives the same number on both.
HEADLINE_KEYS = ("heures_insertion", "etp", "marches_avec_clause")
# The public home lists every publishing network: their figures are kept a few minutes
# rather than computed for each visitor (figures move with validations, not by the second).
HEADLINES_SECONDS = 600


def network_headlines(network: Network, *, today: date) -> list[Figure]:
    """The headline figures of ``network``'s open-data page, all years, masked alike."""
    key = f"opendata:headlines:{network.pk}:{network.slug}:{today.isoformat()}"
    figures: list[Figure] | None = cache.get(key)
    if figures is None:
        published = open_data(network, today=today).by_key
        figures = [published[name] for name in HEADLINE_KEYS]
        cache.set(key, figures, HEADLINES_SECONDS)
    return figures


# --- The same figures as a JSON document and as csv rows ---------------------------------


def _number(value: int | Decimal | None) -> int | float | None:
    """JSON has no decimal: whole values as integers, others as floats (2 decimals)."""
    if value is None:
        return None
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else points(share)


def purchasing_values(indicators: YearIndicators) -> dict[str, int | Decimal | None]:
    """A year's responsible purchasing figures under the keys of ``PURCHASING_FIELDS``."""
    values: dict[str, int | Decimal | None] = {
        "marches": indicators.all.count,
        "montant": indicators.all.amount,
        "marches_suivis": indicators.tracked,
        "donnees_decp": indicators.decp,
        "objectif_part_sociale": points(SOCIAL_TARGET),
        "ecart_objectif": indicators.gap_to_target,
        "evolution_part_sociale": indicators.social_change,
        "evolution_part_environnementale": indicators.environmental_change,
        "evolution_part_reserves": indicators.reserved_change,
    }
    for name, count, share, amount, amount_share in (
        (
            "social",
            "marches_sociaux",
            "part_marches_sociaux",
            "montant_social",
            "part_montant_social",
        ),
        (
            "environmental",
            "marches_environnementaux",
            "part_marches_environnementaux",
            "montant_environnemental",
            "part_montant_environnemental",
        ),
        (
            "reserved",
            "marches_reserves",
            "part_marches_reserves",
            "montant_reserve",
            "part_montant_reserve",
        ),
    ):
        tally = indicators.tally(name)
        values[count] = tally.count
        values[share] = _percent(indicators.count_share(name))
        values[amount] = tally.amount
        values[amount_share] = _percent(indicators.amount_share(name))
    assert set(values) == {key for key, _, _ in PURCHASING_FIELDS}
    return values


def as_document(data: OpenData, *, schema_url: str, generated_on: date) -> dict[str, Any]:
    """The published figures as the JSON document described by ``opendata_schema.SCHEMA``."""
    network = data.network
    return {
        "$schema": schema_url,
        "licence": {"nom": LICENCE_NAME, "url": LICENCE_URL},
        "reseau": {
            "identifiant": network.slug,
            "nom": network.name,
            "territoire": network.territory,
        },
        "acheteur": (
            None if data.buyer is None else {"identifiant": data.buyer.pk, "nom": data.buyer.name}
        ),
        "annee": data.year,
        "date_generation": generated_on.isoformat(),
        "seuil_secret_statistique": THRESHOLD,
        "heures_par_etp": data.hours_per_fte,
        "indicateurs": [
            {
                "cle": figure.key,
                "libelle": figure.label,
                "unite": figure.unit,
                "valeur": _number(figure.value),
                "masque": figure.masked,
            }
            for figure in data.figures
        ],
        "series": [
            {
                "cle": series.key,
                "titre": series.title,
                "unite": series.unit,
                "additive": series.data.additive,
                "total": _number(series.data.total),
                "total_masque": series.data.total is None,
                "valeurs": [
                    {
                        "cle": cell.key,
                        "libelle": cell.label,
                        "valeur": _number(cell.value),
                        "masque": cell.masked,
                    }
                    for cell in series.data.cells
                ],
                "note": series.note,
            }
            for series in data.series
        ],
        "achats_responsables": {
            "objectif_part_sociale": _number(points(SOCIAL_TARGET)),
            "annees": [
                {
                    "annee": indicators.year,
                    **{key: _number(value) for key, value in purchasing_values(indicators).items()},
                }
                for indicators in data.purchasing_years
            ],
            "sans_date": data.purchasing.undated,
        },
    }


CSV_COLUMNS = (
    Column("Réseau"),
    Column("Acheteur"),
    Column("Année"),
    Column("Tableau"),
    Column("Clé"),
    Column("Libellé"),
    Column("Valeur", "decimal"),
    Column("Unité"),
    Column("Masquée"),
)
TOTAL_KEY = "total"
PURCHASING_TABLE = "achats_responsables"


def csv_rows(data: OpenData) -> list[list[Value]]:
    """One row per figure: the headline figures, then each series' values and its total."""
    context: list[Value] = [
        data.network.name,
        data.buyer.name if data.buyer else "",
        data.year if data.year else "Toutes",
    ]

    def row(
        table: str, key: str, label: str, value: int | Decimal | None, unit: str
    ) -> list[Value]:
        return [*context, table, key, label, value, unit, "oui" if value is None else "non"]

    rows = [
        row("indicateurs", figure.key, figure.label, figure.value, figure.unit)
        for figure in data.figures
    ]
    for series in data.series:
        rows += [
            row(series.key, cell.key, cell.label, cell.value, series.unit)
            for cell in series.data.cells
        ]
        rows.append(row(series.key, TOTAL_KEY, "Total", series.data.total, series.unit))
    for indicators in data.purchasing_years:
        values = purchasing_values(indicators)
        table = f"{PURCHASING_TABLE}_{indicators.year}"
        for key, label, unit in PURCHASING_FIELDS:
            value = values[key]
            # A share of nothing, or a change without the year before, is empty, not masked.
            rows.append([*context, table, key, f"{label} ({indicators.year})", value, unit, "non"])
    return rows
