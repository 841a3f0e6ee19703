"""Validators shared by the forms and the services of every app, with French messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tremplin.core.postal_codes import postal_code_problem


def validate_postal_code(value: str) -> None:
    """A postal code that exists in France (or Monaco); empty is left to ``required``."""
    problem = postal_code_problem(value or "")
    if problem:
        raise ValidationError(problem, code="postal_code_unknown")


def check_postal_code(instance: object, field: str = "postal_code") -> None:
    """The services' check before a write: the error names the form's field."""
    problem = postal_code_problem(getattr(instance, field, "") or "")
    if problem:
        raise ValidationError({field: problem}, code="postal_code_unknown")
