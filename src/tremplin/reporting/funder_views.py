"""The funders' reports: ESF+ participant data, the national survey of facilitators, a
buyer's SPASER indicators; and the "Rapports" page that lists what the user may produce."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response
from tremplin.inclusion.enums import IscedBand, LabourStatus, OutcomeSituation, Sex
from tremplin.organisations.access import scope_for
from tremplin.reporting import funders
from tremplin.reporting.funder_forms import SpaserForm, YearForm
from tremplin.reporting.purchasing import SOCIAL_TARGET
from tremplin.reporting.purchasing_selectors import sees_decp_records

NOT_FOR_YOU = "Ce rapport ne vous est pas accessible."

# --- The reports page ----------------------------------------------------------------


def reports(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "reporting/reports.html",
        {
            "esf": scope.is_facilitator,
            "survey": scope.is_facilitator or scope.is_coordinator,
            "spaser": bool(scope.buyer_ids or scope.is_facilitator or scope.is_coordinator),
            "impact": bool(scope.buyer_ids or scope.is_facilitator or scope.is_coordinator),
            "consolidation": scope.is_coordinator,
        },
    )


# --- ESF+ ----------------------------------------------------------------------------------

LABOUR_LABELS = dict(LabourStatus.choices)
ISCED_LABELS = dict(IscedBand.choices)
SITUATION_LABELS = dict(OutcomeSituation.choices)
SEX_LABELS = dict(Sex.choices)


def _esf_columns(named: bool) -> list[Column]:
    identity = [Column("Identifiant (pseudonyme)"), Column("Structure")]
    if named:
        identity += [
            Column("Nom"),
            Column("Prénom"),
            Column("Date de naissance", "date"),
            Column("Courriel"),
            Column("Téléphone"),
            Column("Code postal"),
            Column("Commune"),
        ]
    return [
        *identity,
        Column("Sexe"),
        Column("Tranche d'âge à l'entrée"),
        Column("Date d'entrée", "date"),
        Column("Date de sortie", "date"),
        Column("Situation sur le marché du travail à l'entrée"),
        Column("Niveau d'éducation (CITE)"),
        *(Column(indicator.header, "int") for indicator in funders.ESF_OUTPUT_INDICATORS),
        Column("Situation à la sortie"),
        Column("Situation six mois après la sortie"),
        *(Column(indicator.header, "int") for indicator in funders.ESF_RESULT_INDICATORS),
    ]


def _esf_export_rows(rows: Iterator[funders.EsfRow], named: bool) -> Iterator[list[Value]]:
    for row in rows:
        values = row.values
        identity: list[Value] = [row.pseudonym, values["participant__facilitator__name"]]
        if named:
            identity += [
                values[field] or ("" if field != "birth_date" else None)
                for field in (
                    "last_name",
                    "first_name",
                    "birth_date",
                    "email",
                    "phone",
                    "postal_code",
                    "city",
                )
            ]
        yield [
            *identity,
            SEX_LABELS.get(values["participant__sex"], ""),
            row.age_band,
            values["entered_on"],
            values["esf_exit"],
            LABOUR_LABELS.get(values["labour_status"], ""),
            ISCED_LABELS.get(values["isced_band"], ""),
            *(values[indicator.name] for indicator in funders.ESF_OUTPUT_INDICATORS),
            SITUATION_LABELS.get(values["exit_situation"] or "", ""),
            SITUATION_LABELS.get(values["six_months_situation"] or "", ""),
            *(values[indicator.name] for indicator in funders.ESF_RESULT_INDICATORS),
        ]


def esf_report(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.is_facilitator:
        raise Http404(NOT_FOR_YOU)
    form = YearForm(request.GET, today=timezone.localdate())
    year = form.year()
    version = funders.esf_version(scope)
    if wanted := export_format(request.GET.get("format")):
        # Name columns exist when some rows may carry names; the others leave them empty.
        named = version != funders.PSEUDONYMISED_VERSION
        suffix = "nominatif" if version == funders.NAMED_VERSION else "pseudonymise"
        return export_response(
            wanted,
            f"fse-participants-{year}-{suffix}",
            _esf_columns(named),
            _esf_export_rows(funders.esf_rows(scope, year), named),
            f"FSE {year}",
        )
    return render(
        request,
        "reporting/funders/esf.html",
        {
            "form": form,
            "year": year,
            "version": version,
            "summary": funders.esf_summary(scope, year),
        },
    )


# --- National survey ---------------------------------------------------------------------

SURVEY_COLUMNS = (
    Column("Structure"),
    Column("Marchés avec clause en exécution", "int"),
    Column("Acheteurs", "int"),
    Column("Heures d'insertion validées", "decimal"),
    Column("ETP", "decimal"),
    Column("Contrats de travail signés", "int"),
    Column("Participants", "int"),
    Column("dont femmes", "int"),
    Column("dont moins de 26 ans", "int"),
    Column("dont 50 ans et plus", "int"),
)


def _survey_row(row: funders.SurveyRow) -> list[Value]:
    return [
        row.name,
        row.contracts,
        row.buyers,
        row.hours,
        row.fte,
        row.employment_contracts,
        row.participants,
        row.women,
        row.under_26,
        row.aged_50,
    ]


def national_survey(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not (scope.is_facilitator or scope.is_coordinator):
        raise Http404(NOT_FOR_YOU)
    form = YearForm(request.GET, today=timezone.localdate())
    year = form.year()
    survey = funders.national_survey(scope, year)
    if wanted := export_format(request.GET.get("format")):
        rows = [*survey.rows, *([survey.total] if survey.total else [])]
        return export_response(
            wanted,
            f"enquete-nationale-{year}",
            SURVEY_COLUMNS,
            (_survey_row(row) for row in rows),
            f"Enquête {year}",
        )
    return render(
        request,
        "reporting/funders/survey.html",
        {
            "form": form,
            "year": year,
            "survey": survey,
            # The contract list has no structure filter: only one structure's row (or the
            # total) is exactly the list filtered by year and clause.
            "single_structure": len(survey.rows) == 1,
        },
    )


# --- SPASER ------------------------------------------------------------------------------


def _percent(share: Decimal | None) -> Value:
    """A share as the percentage a spreadsheet shows (12.5 for 12,5 %)."""
    return None if share is None else (share * 100).quantize(Decimal("0.1"))


def spaser_report(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    buyers = funders.spaser_buyers(scope)
    if not (scope.buyer_ids or scope.is_facilitator or scope.is_coordinator):
        raise Http404(NOT_FOR_YOU)
    form = SpaserForm(request.GET, today=timezone.localdate(), buyers=buyers)
    if request.GET.get("acheteur") and not form.is_valid() and "acheteur" in form.errors:
        raise Http404("Cet acheteur n'existe pas ou ne vous est pas accessible.")
    buyer = form.buyer()
    year = form.year()
    if buyer is None:
        return render(request, "reporting/funders/spaser.html", {"form": form, "report": None})
    report = funders.spaser_report(scope, buyer, year)
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            f"spaser-{year}",
            SPASER_EXPORT_COLUMNS,
            _spaser_export_rows(report),
            f"SPASER {year}",
        )
    return render(
        request,
        "reporting/funders/spaser.html",
        {
            "form": form,
            "year": year,
            "report": report,
            "sees_all": bool(scope.buyer_ids),
            "sees_decp": sees_decp_records(scope),
            "target": SOCIAL_TARGET,
        },
    )


# One row per indicator, with the hours and FTE as rows of their own (no amount).
SPASER_EXPORT_COLUMNS = (
    Column("Acheteur"),
    Column("Année"),
    Column("Indicateur"),
    Column("Nombre", "decimal"),
    Column("Part en nombre (%)", "decimal"),
    Column("Montant HT", "money"),
    Column("Part en montant (%)", "decimal"),
)


def _spaser_export_rows(report: funders.SpaserReport) -> Iterator[list[Value]]:
    head: list[Value] = [report.buyer.name, str(report.year)]
    for figure in report.figures:
        yield [
            *head,
            figure.label,
            figure.count,
            _percent(figure.count_share),
            figure.amount,
            _percent(figure.amount_share),
        ]
    yield [*head, "Heures d'insertion validées", report.hours, None, None, None]
    yield from _purchasing_export_rows(report)
    yield [
        *head,
        f"Équivalents temps plein ({report.hours_per_fte} h par ETP)",
        report.fte,
        None,
        None,
        None,
    ]


BOTH_SOURCES = "Tremplin et DECP"
PURCHASING_LABELS = (
    ("all", "Marchés notifiés"),
    ("social", "Marchés comportant une considération sociale"),
    ("environmental", "Marchés comportant une considération environnementale"),
    ("reserved", "Marchés réservés"),
)


def _purchasing_export_rows(report: funders.SpaserReport) -> Iterator[list[Value]]:
    """Every year of both sources, each contract once, with the target and the trend."""
    for indicators in report.purchasing.years:
        head: list[Value] = [report.buyer.name, str(indicators.year)]
        for name, label in PURCHASING_LABELS:
            tally = indicators.tally(name)
            yield [
                *head,
                f"{label} ({BOTH_SOURCES})",
                tally.count,
                _percent(indicators.count_share(name)),
                tally.amount,
                _percent(indicators.amount_share(name)),
            ]
        yield [
            *head,
            "Objectif national : part des marchés avec une considération sociale",
            None,
            _percent(SOCIAL_TARGET),
            None,
            None,
        ]
        yield [
            *head,
            "Écart à l'objectif national (points)",
            indicators.gap_to_target,
            None,
            None,
            None,
        ]
        yield [
            *head,
            "Évolution sur un an de la part des marchés avec une considération sociale (points)",
            indicators.social_change,
            None,
            None,
            None,
        ]
