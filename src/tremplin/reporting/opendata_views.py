"""Open data: public pages (no login), their csv and JSON, and the JSON Schema."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tremplin.core.http import export_response
from tremplin.core.parameters import year_parameter
from tremplin.organisations.models import Network, Organisation
from tremplin.reporting import opendata_selectors as selectors
from tremplin.reporting.anonymity import MARK, THRESHOLD
from tremplin.reporting.opendata_schema import SCHEMA

JSON_DUMPS = {"ensure_ascii": False, "indent": 2}


def _year(request: HttpRequest) -> int | None:
    """The year asked for by ``?annee=``; anything else means the whole period."""
    value = request.GET.get("annee", "")
    return year_parameter(value)


def _network(slug: str) -> Network:
    try:
        return selectors.published_network(slug)
    except Network.DoesNotExist as error:
        raise Http404("Ce réseau ne publie pas de données ouvertes.") from error


def _buyer(network: Network, pk: int) -> Organisation:
    try:
        return selectors.network_buyer(network, pk)
    except Organisation.DoesNotExist as error:
        raise Http404("Cet acheteur n'a pas de marché suivi par ce réseau.") from error


def _schema_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("opendata:schema"))


def _with_year(url: str, year: int | None) -> str:
    return f"{url}?annee={year}" if year else url


def _respond(
    request: HttpRequest, network: Network, buyer: Organisation | None, *, as_json: bool
) -> HttpResponse:
    year = _year(request)
    # A public page has no user: the network's own time zone dates it.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(network.time_zone))
    data = selectors.open_data(network, buyer=buyer, year=year, today=today)
    if as_json:
        document = selectors.as_document(data, schema_url=_schema_url(request), generated_on=today)
        response = JsonResponse(document, json_dumps_params=JSON_DUMPS)
        response["Access-Control-Allow-Origin"] = "*"  # public data, readable from any site
        return response
    stem = f"donnees-ouvertes-{network.slug}"
    if buyer is not None:
        stem += f"-acheteur-{buyer.pk}"
    if year:
        stem += f"-{year}"
    if request.GET.get("format") == "csv":
        return export_response(
            "csv", stem, selectors.CSV_COLUMNS, selectors.csv_rows(data), "Données ouvertes"
        )
    if buyer is None:
        page_url = reverse("opendata:network", args=[network.slug])
        json_url = reverse("opendata:network_json", args=[network.slug])
    else:
        page_url = reverse("opendata:buyer", args=[network.slug, buyer.pk])
        json_url = reverse("opendata:buyer_json", args=[network.slug, buyer.pk])
    contracts = selectors.network_contracts(network)
    if buyer is not None:
        contracts = contracts.filter(buyer=buyer)
    return render(
        request,
        "reporting/opendata/report.html",
        {
            "data": data,
            "network": network,
            "buyer": buyer,
            "buyers": selectors.network_buyers(network) if buyer is None else [],
            "year": year,
            "years": selectors.available_years(contracts),
            "page_url": page_url,
            "json_url": _with_year(json_url, year),
            "csv_url": f"{page_url}?format=csv" + (f"&annee={year}" if year else ""),
            "mark": MARK,
            "threshold": THRESHOLD,
        },
    )


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The networks that publish their open data."""
    return render(
        request,
        "reporting/opendata/index.html",
        {"networks": list(selectors.published_networks()), "threshold": THRESHOLD},
    )


@login_not_required
@require_GET
def network_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _respond(request, _network(slug), None, as_json=False)


@login_not_required
@require_GET
def network_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _respond(request, _network(slug), None, as_json=True)


@login_not_required
@require_GET
def buyer_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    network = _network(slug)
    return _respond(request, network, _buyer(network, pk), as_json=False)


@login_not_required
@require_GET
def buyer_json(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    network = _network(slug)
    return _respond(request, network, _buyer(network, pk), as_json=True)


@login_not_required
@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    """The JSON Schema of the documents above, at a stable address."""
    response = JsonResponse(SCHEMA, json_dumps_params=JSON_DUMPS)
    response["Access-Control-Allow-Origin"] = "*"
    return response
