"""Possible duplicate participants of the user's structures, and merging two records of
one person. Both records must be followed by the user's structures (404 otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tremplin.core.exports import Column, Value
from tremplin.core.http import export_format, export_response
from tremplin.inclusion import selectors, services
from tremplin.inclusion.age import age_on
from tremplin.inclusion.duplicates import Person, match
from tremplin.inclusion.forms import MergeForm
from tremplin.inclusion.models import Participant
from tremplin.organisations.access import UserScope, facilitator_scope


def _candidate(scope: UserScope, pk: int) -> Participant:
    try:
        return selectors.merge_candidate(scope, pk)
    except Participant.DoesNotExist as error:
        raise Http404("Participant introuvable.") from error


DUPLICATE_EXPORT_COLUMNS = (
    Column("Structure"),
    Column("Motif"),
    Column("Première fiche : nom"),
    Column("Première fiche : prénom"),
    Column("Première fiche : date de naissance", "date"),
    Column("Première fiche : mises en emploi", "int"),
    Column("Seconde fiche : nom"),
    Column("Seconde fiche : prénom"),
    Column("Seconde fiche : date de naissance", "date"),
    Column("Seconde fiche : mises en emploi", "int"),
)


def duplicate_export_row(pair: selectors.DuplicatePair) -> list[Value]:
    first, second = pair.first, pair.second
    return [
        first.facilitator.name,
        pair.reason[:1].upper() + pair.reason[1:],
        first.last_name,
        first.first_name,
        first.birth_date,
        first.placement_count,  # type: ignore[attr-defined]
        second.last_name,
        second.first_name,
        second.birth_date,
        second.placement_count,  # type: ignore[attr-defined]
    ]


def duplicate_list(request: HttpRequest) -> HttpResponse:
    scope = facilitator_scope(request.user)
    pairs = selectors.duplicate_pairs(scope)
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "doublons-possibles",
            DUPLICATE_EXPORT_COLUMNS,
            (duplicate_export_row(pair) for pair in pairs),
            "Doublons possibles",
        )
    return render(request, "inclusion/duplicate_list.html", {"pairs": pairs})


def _side(scope: UserScope, participant: Participant) -> dict[str, Any]:
    placements = list(selectors.placements_of_participant(scope, participant))
    return {
        "participant": participant,
        "age": age_on(participant.birth_date, timezone.localdate()),
        "placements": placements,
        "validated_hours": sum((p.validated_hours for p in placements), Decimal(0)),  # type: ignore[attr-defined]
    }


@require_http_methods(["GET", "POST"])
def participant_merge(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    scope = facilitator_scope(request.user)
    first, second = _candidate(scope, pk), _candidate(scope, other_pk)
    if first.pk == second.pk:
        raise Http404("Choisissez deux fiches différentes.")
    form = MergeForm(
        request.POST or None,
        choices=[(first.pk, f"Garder {first}"), (second.pk, f"Garder {second}")],
        initial={"kept": first.pk},
    )
    if request.method == "POST" and form.is_valid():
        kept, merged = (first, second) if form.cleaned_data["kept"] == first.pk else (second, first)
        try:
            services.participant_merge(
                actor=request.user,  # type: ignore[arg-type]
                kept=kept,
                merged=merged,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"Les deux fiches sont fusionnées : {kept} reprend les mises en emploi, "
                "les heures, les critères et l'historique de l'autre fiche.",
            )
            return redirect("inclusion:participant_detail", pk=kept.pk)
    reason = match(
        Person(first.first_name, first.last_name, first.birth_date),
        Person(second.first_name, second.last_name, second.birth_date),
    )
    return render(
        request,
        "inclusion/duplicate_compare.html",
        {
            "form": form,
            "first": first,
            "second": second,
            "sides": [_side(scope, first), _side(scope, second)],
            "reason": reason,
        },
    )
