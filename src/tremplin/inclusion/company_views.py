"""The company space: what a company (or an inclusion employer) owes, the people it
declares on its contracts, and their monthly hours.

Every lookup goes through the company selectors of ``inclusion.selectors``: a company
sees its own contracts and the placements it employs, never another company's, never a
person placed elsewhere (404). Hours are declared here and validated by the facilitator
structure only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.exports import Column, Value
from tremplin.core.forms import attach_errors
from tremplin.core.http import export_format, export_response
from tremplin.core.templatetags.french import hours as format_hours
from tremplin.inclusion import selectors, services
from tremplin.inclusion.company_forms import CompanyHoursForm, DeclarationForm, EvidenceForm
from tremplin.inclusion.enums import (
    CRITERION_STATUS_COLOURS,
    HOURS_STATUS_COLOURS,
    CriterionStatus,
    HoursStatus,
)
from tremplin.inclusion.models import HoursEntry, ParticipantCriterion, Placement
from tremplin.organisations.access import UserScope, scope_for
from tremplin.procurement.explain import Explanation, explain
from tremplin.procurement.models import Clause, Contract
from tremplin.procurement.obligation import Obligation
from tremplin.procurement.selectors import (
    ContractRow,
    clauses_of,
    progress_of,
    with_remaining,
)

CONTRACTS_PER_PAGE = 25
TO_CORRECT_SHOWN = 10


def _company_scope(request: HttpRequest) -> UserScope:
    """Only members of a company or an inclusion employer have a company space."""
    scope = scope_for(request.user)
    if not scope.company_ids:
        raise Http404("Aucune entreprise.")
    return scope


def _contract(scope: UserScope, pk: int) -> Contract:
    try:
        return selectors.company_contract_detail(scope, pk)
    except Contract.DoesNotExist as error:
        raise Http404("Ce marché n'existe pas ou ne vous est pas accessible.") from error


def _placement(scope: UserScope, pk: int) -> Placement:
    try:
        return selectors.company_placement_detail(scope, pk)
    except Placement.DoesNotExist as error:
        raise Http404("Mise en emploi introuvable.") from error


def _explained(contract: Contract) -> list[tuple[Clause, Explanation]]:
    """The contract's clauses (prefetched), each with its obligation explained."""
    return [
        (
            clause,
            explain(
                Obligation(
                    inputs=clause.obligation_inputs(),
                    exact_hours=clause.exact_hours,
                    hours=clause.hours_required,
                )
            ),
        )
        for clause in clauses_of(contract)
    ]


@dataclass(frozen=True)
class CompanyContract:
    """A contract of the company: its progress, what the company's placements bring, and
    the clauses that set its obligation."""

    row: ContractRow
    own: selectors.CompanyHours
    clauses: list[tuple[Clause, Explanation]]

    @property
    def contract(self) -> Contract:
        return self.row.contract


def _month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


# The list of contracts ------------------------------------------------------------------


COMPANY_CONTRACT_EXPORT_COLUMNS = (
    Column("Référence"),
    Column("Objet"),
    Column("Acheteur"),
    Column("Début d'exécution", "date"),
    Column("Fin d'exécution", "date"),
    Column("Heures exigées", "int"),
    Column("Heures validées", "decimal"),
    Column("Heures déclarées, à valider", "decimal"),
    Column("Heures restant dues", "decimal"),
    Column("Vos mises en emploi", "int"),
    Column("Vos heures validées", "decimal"),
    Column("Vos heures à valider", "decimal"),
    Column("Statut"),
)


def company_contract_export_rows(
    scope: UserScope, search: str, today: datetime.date
) -> list[list[Value]]:
    """The company's contracts as on its home page, every page (three queries)."""
    contracts = with_remaining(selectors.company_contract_export(scope, search=search))
    own = selectors.company_hours_by_contract(scope, [contract.pk for contract in contracts])
    rows: list[list[Value]] = []
    for contract in contracts:
        row = ContractRow(contract, progress_of(contract, today))
        mine = own[contract.pk]
        rows.append(
            [
                contract.reference,
                contract.title,
                contract.buyer.name,
                contract.execution_start,
                contract.execution_end,
                contract.hours_required,
                contract.validated_hours,  # type: ignore[attr-defined]
                contract.declared_hours,  # type: ignore[attr-defined]
                row.progress.remaining,
                mine.placements,
                mine.validated,
                mine.declared,
                row.status_label,
            ]
        )
    return rows


def home(request: HttpRequest) -> HttpResponse:
    scope = _company_scope(request)
    search = request.GET.get("q", "").strip()
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            "vos-marches",
            COMPANY_CONTRACT_EXPORT_COLUMNS,
            company_contract_export_rows(scope, search, timezone.localdate()),
            "Vos marchés",
        )
    paginator = Paginator(selectors.company_contract_list(scope, search=search), CONTRACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    contracts = with_remaining(page.object_list)
    today = timezone.localdate()
    own = selectors.company_hours_by_contract(scope, [contract.pk for contract in contracts])
    rows = [
        CompanyContract(
            row=ContractRow(contract, progress_of(contract, today)),
            own=own[contract.pk],
            clauses=_explained(contract),
        )
        for contract in contracts
    ]
    rejected = list(selectors.company_rejected_hours(scope)[: TO_CORRECT_SHOWN + 1])
    refused = list(selectors.company_refused_criteria(scope)[: TO_CORRECT_SHOWN + 1])
    return render(
        request,
        "inclusion/company/home.html",
        {
            "organisations": selectors.company_organisations(scope),
            "page": page,
            "rows": rows,
            "search": search,
            "totals": selectors.company_contract_totals(scope),
            "rejected": rejected[:TO_CORRECT_SHOWN],
            "more_rejected": len(rejected) > TO_CORRECT_SHOWN,
            "refused": refused[:TO_CORRECT_SHOWN],
            "more_refused": len(refused) > TO_CORRECT_SHOWN,
            "today": today,
        },
    )


# One contract ---------------------------------------------------------------------------


def _month_rows(entries: list[HoursEntry]) -> list[dict[str, Any]]:
    return [
        {"entry": entry, "colour": HOURS_STATUS_COLOURS[HoursStatus(entry.status)]}
        for entry in entries
    ]


PLACEMENT_HOURS_EXPORT_COLUMNS = (
    Column("Marché"),
    Column("Nom"),
    Column("Prénom"),
    Column("Employeur"),
    Column("Poste"),
    Column("Lot", "int"),
    Column("Modalité"),
    Column("Début", "date"),
    Column("Fin", "date"),
    Column("Mois", "date"),
    Column("Heures travaillées", "decimal"),
    Column("Heures de formation", "decimal"),
    Column("Total des heures", "decimal"),
    Column("Statut des heures"),
    Column("Motif du refus"),
)


def placement_hours_export_rows(
    contract: Contract, placements: list[Placement]
) -> list[list[Value]]:
    """One row per month of each placement (months prefetched), and one row for a
    placement with no month declared yet, so that every person of the page appears."""
    rows: list[list[Value]] = []
    for placement in placements:
        person: list[Value] = [
            contract.reference,
            placement.participant.last_name,
            placement.participant.first_name,
            placement.employer.name,
            placement.job.title,
            placement.lot.number if placement.lot else None,
            placement.get_execution_mode_display(),
            placement.start_date,
            placement.end_date,
        ]
        entries = list(placement.hours_entries.all())
        if not entries:
            rows.append([*person, None, None, None, None, "", ""])
        for entry in entries:
            rows.append(
                [
                    *person,
                    entry.month,
                    entry.hours_worked,
                    entry.training_hours,
                    entry.total_hours,
                    entry.get_status_display(),
                    entry.rejection_reason if entry.status == HoursStatus.REJECTED else "",
                ]
            )
    return rows


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _company_scope(request)
    contract = _contract(scope, pk)
    today = timezone.localdate()
    placements = list(selectors.company_placements_of_contract(scope, contract.pk))
    if wanted := export_format(request.GET.get("format")):
        return export_response(
            wanted,
            f"heures-marche-{slugify(contract.reference) or contract.pk}",
            PLACEMENT_HOURS_EXPORT_COLUMNS,
            placement_hours_export_rows(contract, placements),
            "Heures du marché",
        )
    for placement in placements:
        placement.month_rows = _month_rows(list(placement.hours_entries.all()))  # type: ignore[attr-defined]
    return render(
        request,
        "inclusion/company/contract_detail.html",
        {
            "contract": contract,
            "row": ContractRow(contract, progress_of(contract, today)),
            "own": selectors.company_hours_by_contract(scope, [contract.pk])[contract.pk],
            "clauses": _explained(contract),
            "placements": placements,
            "several_employers": len(scope.company_ids) > 1,
        },
    )


def participant_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a person the company employs on the contract, with the evidence of their
    eligibility; the contract's facilitator structure checks it."""
    scope = _company_scope(request)
    contract = _contract(scope, pk)
    network = contract.facilitator.network
    form = DeclarationForm(
        request.POST or None,
        request.FILES or None,
        criteria=selectors.criteria_accepted_by(network),
        prescribers=selectors.prescribers_of_network(network),
        employers=selectors.company_employers(scope),
        lots=selectors.lots_of_contract(contract),
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.participant_declare(
                actor=request.user,  # type: ignore[arg-type]
                contract=contract,
                employer=form.cleaned_data["employer"],
                participant_fields=form.participant_fields(),
                criteria=form.declared_criteria(),
                placement_fields=form.placement_fields(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"{placement.participant} est déclaré(e) sur le marché {contract.reference}. "
                f"{contract.facilitator.name} vérifie les justificatifs ; vous pouvez déjà "
                "déclarer ses heures.",
            )
            return redirect("company:placement_detail", pk=placement.pk)
    search = request.POST.get("q", "").strip()
    if search and not form.data.get("job"):
        form.offer_jobs(selectors.search_job_titles(search))
    return render(
        request,
        "inclusion/company/declaration_form.html",
        {"form": form, "contract": contract},
    )


@require_GET
def job_search(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of ROME job titles matching the search (HTMX)."""
    _company_scope(request)
    query = request.GET.get("q", "").strip()
    jobs = selectors.search_job_titles(query) if len(query) >= 2 else []
    return render(request, "inclusion/_job_options.html", {"jobs": jobs, "query": query})


# One placement and its months -----------------------------------------------------------


def _default_month(placement: Placement) -> datetime.date:
    """The last month that can be declared: the last one over, inside the placement."""
    month = services.last_month_over(timezone.localdate())
    end = placement.end_date or placement.contract.execution_end
    month = min(month, end.replace(day=1))
    return max(month, placement.start_date.replace(day=1))


def _render_placement(
    request: HttpRequest,
    scope: UserScope,
    placement: Placement,
    hours_form: CompanyHoursForm | None = None,
) -> HttpResponse:
    entries = list(selectors.company_hours_of_placement(scope, placement))
    if hours_form is None:
        initial: dict[str, Any] = {"training_hours": 0, "month": _default_month(placement)}
        wanted = request.GET.get("mois", "")
        for entry in entries:
            if entry.month.strftime("%Y-%m") == wanted and entry.status != HoursStatus.VALIDATED:
                initial = {
                    "month": entry.month,
                    "hours_worked": entry.hours_worked,
                    "training_hours": entry.training_hours,
                }
        hours_form = CompanyHoursForm(initial=initial)
    criteria = [
        {"item": item, "colour": CRITERION_STATUS_COLOURS[CriterionStatus(item.status)]}
        for item in selectors.company_criteria_of_participant(scope, placement.participant)
    ]
    counted = [entry for entry in entries if entry.status != HoursStatus.REJECTED]
    return render(
        request,
        "inclusion/company/placement_detail.html",
        {
            "placement": placement,
            "participant": placement.participant,
            "criteria": criteria,
            "entries": _month_rows(entries),
            "hours_form": hours_form,
            "total_hours": sum((entry.total_hours for entry in counted), Decimal(0)),
            "validated_hours": sum(
                (e.total_hours for e in entries if e.status == HoursStatus.VALIDATED),
                Decimal(0),
            ),
            "declared_hours": sum(
                (e.total_hours for e in entries if e.status == HoursStatus.DECLARED),
                Decimal(0),
            ),
        },
    )


def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _company_scope(request)
    return _render_placement(request, scope, _placement(scope, pk))


@require_POST
def hours_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare (or correct) a month's hours. There is no way to validate them here: the
    facilitator structure does, from its own pages."""
    scope = _company_scope(request)
    placement = _placement(scope, pk)
    form = CompanyHoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.hours_declare(
                actor=request.user,  # type: ignore[arg-type]
                placement=placement,
                month=data["month"],
                hours_worked=data["hours_worked"],
                training_hours=data["training_hours"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"{format_hours(entry.total_hours)} heures en {_month_label(entry.month)} "
                f"déclarées : {placement.contract.facilitator.name} les valide.",
            )
            url = reverse("company:placement_detail", args=[placement.pk])
            return HttpResponseRedirect(f"{url}#heures")
    return _render_placement(request, scope, placement, hours_form=form)


@require_POST
def criterion_resubmit(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    """Answer a refused criterion with a new piece of evidence."""
    scope = _company_scope(request)
    placement = _placement(scope, pk)
    try:
        item = selectors.company_criteria_of_participant(scope, placement.participant).get(
            pk=criterion_pk
        )
    except ParticipantCriterion.DoesNotExist as error:
        raise Http404("Critère introuvable.") from error
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.criterion_resubmit(
                actor=request.user,  # type: ignore[arg-type]
                item=item,
                evidence_file=form.cleaned_data["evidence_file"],
            )
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{item.criterion.label} : {message}")
    else:
        messages.success(
            request,
            f"Nouveau justificatif envoyé pour « {item.criterion.label} » : "
            f"{placement.contract.facilitator.name} le vérifie.",
        )
    url = reverse("company:placement_detail", args=[placement.pk])
    return HttpResponseRedirect(f"{url}#eligibilite")
