"""The one- or two-page PDF a facilitator brings to a buyer: the contracts it published
that could have carried a social clause, and the insertion hours they could have given.

Printed by WeasyPrint (``reporting.pdf``); ``?apercu=1`` shows the same HTML in the
browser. The figures are those of the DECP opportunities page, for one buyer."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tremplin.decp import opportunities, selectors
from tremplin.decp.forms import OpportunityFilterForm
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Network
from tremplin.reporting.pdf import pdf_response

TOP_CONTRACTS = 10


@require_GET
def opportunity_sheet(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not (scope.is_facilitator or scope.is_coordinator):
        raise Http404("Page réservée aux structures de facilitation.")
    try:
        network = selectors.opportunity_network(scope, request.GET.get("reseau"))
    except Network.DoesNotExist as error:
        raise Http404(
            "Ce réseau n'existe pas ou ses données ne vous sont pas accessibles."
        ) from error
    buyers = selectors.opportunity_buyers(scope, network)
    data = request.GET.copy()
    data["reseau"] = network.slug
    form = OpportunityFilterForm(
        data,
        networks=[network],
        buyers=buyers,
        years=selectors.opportunity_years(scope, network),
    )
    filters = form.filters()
    buyer = form.cleaned_data.get("acheteur")
    if buyer is None:
        raise Http404("Cet acheteur n'existe pas ou ne vous est pas accessible.")
    filters["uncovered_only"] = False  # the sheet shows what is covered too
    report = selectors.opportunity_report(scope, network, **filters)
    summary = report.summary
    top = opportunities.top_opportunities(report.opportunities, TOP_CONTRACTS)
    years = [item.year for item in summary.by_year if item.year is not None]
    context = {
        "network": network,
        "network_name": network.name,
        "report_date": timezone.localdate(),
        "buyer": buyer,
        "report": report,
        "summary": summary,
        "total": summary.total,
        "settings": report.settings,
        "formula": report.formula,
        "formula_inputs": selectors.formula_inputs_text(report.formula),
        "top": [(item, selectors.formula_text(item)) for item in top],
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
    }
    template = "reporting/pdf/opportunity_sheet.html"
    if request.GET.get("apercu"):
        return render(request, template, context)
    filename = f"opportunites-clauses-{slugify(buyer.name)[:60] or buyer.pk}.pdf"
    return pdf_response(request, template, context, filename)
