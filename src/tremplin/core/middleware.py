"""Requests no page could answer, refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RejectNulCharactersMiddleware:
    """An address with a NUL character (``?q=%00``) is a 400: PostgreSQL refuses the
    character in any text, so a search or a filter would fail deep in the database. Forms
    already refuse it in what they receive (Django's CharField); this covers what views
    read from the query string themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise BadRequest("Cette adresse contient un caractère invalide.")
        return self.get_response(request)
