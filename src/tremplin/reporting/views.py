"""Placeholder views, replaced as pages are built."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("home")


def network_dashboard(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("network_dashboard")
