"""The network's counting rules per execution mode: facilitators read, coordinators edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tremplin.inclusion import mode_rule_selectors, mode_rule_services
from tremplin.inclusion.mode_rule_forms import ModeRulesForm
from tremplin.organisations import selectors as organisation_selectors
from tremplin.organisations.access import scope_for
from tremplin.organisations.models import Network


def mode_rules(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        network = organisation_selectors.network_for_rules(scope, request.GET.get("reseau"))
    except Network.DoesNotExist as error:
        raise Http404(
            "Ce réseau n'existe pas ou ses règles ne vous sont pas accessibles."
        ) from error
    can_edit = mode_rule_selectors.may_edit_mode_rules(scope, network)
    page_url = f"{reverse('inclusion:mode_rules')}?reseau={network.slug}"
    rows = mode_rule_selectors.mode_rule_table(network)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                "Seule la coordination du réseau modifie ses règles de comptage."
            )
        form = ModeRulesForm(request.POST, rows=rows)
        if form.is_valid():
            try:
                mode_rule_services.execution_mode_rules_set(
                    user=request.user,  # type: ignore[arg-type]
                    network=network,
                    rules=form.rules(),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Les règles de comptage du réseau « {network.name} » sont enregistrées.",
                )
                return redirect(page_url)
    elif can_edit and request.GET.get("modifier"):
        form = ModeRulesForm(rows=rows)
    return render(
        request,
        "inclusion/mode_rules.html",
        {
            "network": network,
            "can_edit": can_edit,
            "form": form,
            "rows": rows,
            "page_url": page_url,
            "rules_url": f"{reverse('organisations:network_rules')}?reseau={network.slug}",
        },
    )
