"""PDF reports: the one-page sheet of a contract, and a buyer's impact report (PDF and xlsx).

Both are printed from HTML templates by WeasyPrint (``reporting.pdf``); ``?apercu=1``
shows the same HTML in the browser, which is also what the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from tremplin.core.definitions import PEOPLE_WITH_HOURS, REMAINING
from tremplin.core.exports import XLSX_CONTENT_TYPE, Column, Value
from tremplin.core.fte import LEGAL_ANNUAL_HOURS
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Organisation
from tremplin.procurement.models import Contract
from tremplin.reporting import indicators, report_selectors
from tremplin.reporting.pdf import pdf_response
from tremplin.reporting.report_forms import ImpactReportForm
from tremplin.reporting.summary import impact_summary
from tremplin.reporting.workbook import Sheet, to_xlsx_workbook

# --- Contract sheet ------------------------------------------------------------------


def contract_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-page PDF of a contract, for whoever may see the contract's page."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    try:
        sheet = report_selectors.contract_sheet(scope, pk, today=today)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error
    context = {
        "sheet": sheet,
        "contract": sheet.contract,
        "row": sheet.row,
        "clauses": sheet.clauses,
        "modes": sheet.modes,
        "outcomes": sheet.outcomes,
        "outcome_totals": sheet.outcome_totals,
        "placements": sheet.placements,
        "network": sheet.network,
        "network_name": sheet.network.name,
        "report_date": today,
    }
    template = "reporting/pdf/contract_sheet.html"
    if request.GET.get("apercu"):
        return render(request, template, context)
    filename = f"fiche-marche-{slugify(sheet.contract.reference) or sheet.contract.pk}.pdf"
    return pdf_response(request, template, context, filename)


# --- Buyer impact report -------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    """What a user asked for: the buyer (None: all theirs) and the period, checked."""

    form: ImpactReportForm
    buyer: Organisation | None
    start: date | None
    end: date | None
    year: int | None
    contracts: Any  # QuerySet[Contract] the user may report on, of the chosen buyer
    subject: str
    network_name: str
    hours_per_fte: int

    @property
    def period_label(self) -> str:
        if self.year:
            return f"année {self.year}"
        if self.start and self.end:
            return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"
        if self.start:
            return f"depuis le {self.start:%d/%m/%Y}"
        if self.end:
            return f"jusqu'au {self.end:%d/%m/%Y}"
        return "toute la période"

    @property
    def period_slug(self) -> str:
        if self.year:
            return str(self.year)
        if self.start or self.end:
            start = self.start.isoformat() if self.start else "debut"
            end = self.end.isoformat() if self.end else "fin"
            return f"{start}-au-{end}"
        return "toute-la-periode"

    def filename(self, extension: str) -> str:
        subject = slugify(self.subject)[:60].strip("-") or "acheteurs"
        return f"rapport-impact-{subject}-{self.period_slug}.{extension}"


def _report_request(request: HttpRequest) -> ReportRequest:
    """The report asked by the GET parameters; 404 for a buyer outside the user's reach."""
    scope = scope_for(request.user)
    reportable = indicators.report_contracts(scope)
    buyers = report_selectors.report_buyers(reportable)
    if not buyers:
        raise Http404("Aucun marché ne vous permet d'éditer un rapport d'impact.")
    # Facilitators and coordinators may report on all their buyers at once.
    all_allowed = scope.is_facilitator or scope.is_coordinator or len(buyers) == 1
    form = ImpactReportForm(
        request.GET or None,
        buyers=buyers,
        years=report_selectors.report_years(reportable),
        all_buyers_allowed=all_allowed,
    )
    if request.GET.get("acheteur") and request.GET["acheteur"] not in {
        str(buyer.pk) for buyer in buyers
    }:
        raise Http404("Cet acheteur n'existe pas ou ne vous est pas accessible.")
    valid = form.is_valid() if form.is_bound else True
    buyer: Organisation | None = (
        form.cleaned_data.get("acheteur") if valid and form.is_bound else None
    )
    if buyer is None and len(buyers) == 1:
        buyer = buyers[0]
    start, end, year = form.period() if valid and form.is_bound else (None, None, None)
    contracts = reportable.filter(buyer=buyer) if buyer else reportable
    networks = report_selectors.report_networks(contracts)
    network = buyer.network if buyer else (networks[0] if networks else None)
    return ReportRequest(
        form=form,
        buyer=buyer,
        start=start,
        end=end,
        year=year,
        contracts=contracts,
        subject=buyer.name if buyer else ", ".join(n.name for n in networks) or "acheteurs",
        network_name=network.name if network else "",
        hours_per_fte=network.hours_per_fte if network else LEGAL_ANNUAL_HOURS,
    )


def _impact_report(asked: ReportRequest, *, link_rows: bool) -> indicators.ImpactReport:
    filters = indicators.ReportFilters(
        start=asked.start,
        end=asked.end,
        buyer_ids=frozenset({asked.buyer.pk}) if asked.buyer else frozenset(),
    )
    return indicators.impact_report(
        asked.contracts,
        filters=filters,
        hours_per_fte=asked.hours_per_fte,
        today=timezone.localdate(),
        link_rows=link_rows,
    )


def report_summary(report: indicators.ImpactReport) -> str:
    return impact_summary(
        hours=report.hours_validated,
        contracts=report.contracts_with_clause,
        whole_fte=report.whole_fte,
    )


def impact_report(request: HttpRequest) -> HttpResponse:
    """Choose a buyer and a period, then download the report as PDF or xlsx."""
    asked = _report_request(request)
    return render(
        request,
        "reporting/impact_report_form.html",
        {"asked": asked, "form": asked.form, "query": request.GET.urlencode()},
    )


def _report_context(asked: ReportRequest, report: indicators.ImpactReport) -> dict[str, Any]:
    return {
        "asked": asked,
        "report": report,
        "summary": report_summary(report),
        "network_name": asked.network_name,
        "report_date": timezone.localdate(),
        "contract_rows": report_selectors.report_contract_rows(
            asked.contracts, start=asked.start, end=asked.end
        ),
    }


def impact_report_pdf(request: HttpRequest) -> HttpResponse:
    asked = _report_request(request)
    if asked.form.is_bound and not asked.form.is_valid():
        return _invalid(request, asked)
    report = _impact_report(asked, link_rows=False)
    template = "reporting/pdf/impact_report.html"
    context = _report_context(asked, report)
    if request.GET.get("apercu"):
        return render(request, template, context)
    return pdf_response(request, template, context, asked.filename("pdf"))


def _invalid(request: HttpRequest, asked: ReportRequest) -> HttpResponse:
    return render(
        request,
        "reporting/impact_report_form.html",
        {"asked": asked, "form": asked.form, "query": ""},
        status=400,
    )


# The xlsx: one sheet per view of the data, numbers typed.

SERIES_COLUMNS = (
    Column("Série"),
    Column("Catégorie"),
    Column("Valeur", "decimal"),
    Column("Unité"),
)


def _series_rows(*series: indicators.Series) -> list[list[Value]]:
    return [[item.title, bar.label, bar.value, item.unit] for item in series for bar in item.bars]


def report_sheets(asked: ReportRequest, report: indicators.ImpactReport) -> list[Sheet]:
    contract_rows = report_selectors.report_contract_rows(
        asked.contracts, start=asked.start, end=asked.end
    )
    synthesis: list[list[Value]] = [
        ["Acheteur", asked.buyer.name if asked.buyer else "Tous les acheteurs"],
        ["Période", asked.period_label],
        ["Synthèse", report_summary(report)],
        ["Marchés avec clause", report.contracts_with_clause],
        ["Acheteurs", report.buyers],
        ["Entreprises", report.companies],
        ["Heures d'insertion exigées", report.hours_required],
        ["Heures d'insertion validées", report.hours_validated],
        [REMAINING.label, report.hours_remaining],
        [f"ETP (base {report.hours_per_fte} h)", report.whole_fte],
        [f"ETP, valeur exacte (base {report.hours_per_fte} h)", report.exact_fte],
        [PEOPLE_WITH_HOURS.label, report.participants],
        ["Contrats de travail commencés", report.employment_contracts],
        *(
            [f"Définition : {term.label}", term.definition]
            for term in (REMAINING, PEOPLE_WITH_HOURS)
        ),
    ]
    outcomes_exit = {bar.key: bar for bar in report.outcomes_at_exit.bars}
    outcomes_six = {bar.key: bar for bar in report.outcomes_at_six_months.bars}
    keys = list(outcomes_exit) + [key for key in outcomes_six if key not in outcomes_exit]
    return [
        Sheet("Synthèse", (Column("Indicateur"), Column("Valeur", "decimal")), synthesis),
        Sheet(
            "Heures par mois",
            (
                Column("Mois", "date"),
                Column("Heures réalisées", "decimal"),
                Column("Heures attendues", "decimal"),
            ),
            [[point.month, point.realised, point.expected] for point in report.hours_by_month],
        ),
        Sheet(
            "Par marché",
            (
                Column("Référence"),
                Column("Objet"),
                Column("Acheteur"),
                Column("Titulaire"),
                Column("Début d'exécution", "date"),
                Column("Fin d'exécution", "date"),
                Column("Heures exigées", "int"),
                Column("Heures validées sur la période", "decimal"),
            ),
            [
                [
                    row.reference,
                    row.title,
                    row.buyer_name,
                    row.company_name,
                    row.execution_start,
                    row.execution_end,
                    row.hours_required,
                    row.hours_validated,
                ]
                for row in contract_rows
            ],
        ),
        Sheet(
            "Par modalité",
            (Column("Modalité"), Column("Heures validées", "decimal")),
            [[bar.label, bar.value] for bar in report.hours_by_mode.bars],
        ),
        Sheet(
            "Publics",
            SERIES_COLUMNS,
            _series_rows(
                report.hours_by_public,
                report.participants_by_criterion,
                report.participants_by_sex,
                report.participants_by_age_band,
                report.participants_by_qpv,
                report.participants_by_qualification,
            ),
        ),
        Sheet(
            "Sorties",
            (Column("Situation"), Column("À la sortie", "int"), Column("À 6 mois", "int")),
            [
                [
                    (outcomes_exit.get(key) or outcomes_six[key]).label,
                    outcomes_exit[key].value if key in outcomes_exit else 0,
                    outcomes_six[key].value if key in outcomes_six else 0,
                ]
                for key in keys
            ],
        ),
    ]


def impact_report_xlsx(request: HttpRequest) -> HttpResponse:
    asked = _report_request(request)
    if asked.form.is_bound and not asked.form.is_valid():
        return _invalid(request, asked)
    report = _impact_report(asked, link_rows=False)
    response = HttpResponse(
        to_xlsx_workbook(report_sheets(asked, report)), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{asked.filename("xlsx")}"'
    return response
