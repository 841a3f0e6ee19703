"""Placeholder views, replaced as pages are built."""

from django.http import HttpRequest, HttpResponse


def contract_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("contract_list")


def contract_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("contract_create")


def obligation_preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("obligation_preview")


def contract_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("contract_detail")


def contract_update(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("contract_update")


def lot_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("lot_create")
