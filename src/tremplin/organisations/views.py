"""Placeholder views, replaced as pages are built."""

from django.http import HttpRequest, HttpResponse


def organisation_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("organisation_list")


def organisation_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("organisation_create")


def organisation_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("organisation_detail")
