"""What every form of the project does with a service's refusal."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def attach_errors(form: forms.Form, error: ValidationError, *other_forms: forms.Form) -> None:
    """Put a service's errors on the field they name, in whichever of the forms has it, or
    above ``form`` when no field fits (a page may show several forms saved together)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    candidates = (form, *other_forms)
    for field, messages in error.message_dict.items():
        target = next((candidate for candidate in candidates if field in candidate.fields), None)
        for message in messages:
            if target is None:
                form.add_error(None, message)
            else:
                target.add_error(field, message)
