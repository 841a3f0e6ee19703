"""Placeholder views, replaced as pages are built."""

from django.http import HttpRequest, HttpResponse


def participant_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("participant_list")


def participant_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("participant_create")


def participant_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("participant_detail")


def participant_update(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("participant_update")


def criterion_set(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("criterion_set")


def criterion_remove(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("criterion_remove")


def placement_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("placement_create")


def placement_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("placement_detail")


def hours_record(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("hours_record")


def hours_review(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("hours_review")


def hours_validate(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("hours_validate")


def hours_reject(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("hours_reject")


def hours_validate_bulk(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return HttpResponse("hours_validate_bulk")
