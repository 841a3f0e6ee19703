"""Scoped reads of the open procurement data: imports, their rejections, the records.

The open data of a network is imported and read by its facilitator structures and its
coordinators; nobody else sees it here (buyers and companies see their contracts in
procurement)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractYear

from tremplin.core.templatetags.french import hours
from tremplin.decp.enums import DecpEventAction
from tremplin.decp.models import (
    DecpEvent,
    DecpImport,
    DecpRecord,
    DecpRejection,
    OpportunitySettings,
)
from tremplin.decp.opportunities import (
    ContractRow,
    DefaultFormula,
    Opportunity,
    OpportunityRules,
    Summary,
    find_opportunities,
    matching_prefix,
    summarise,
    valid_prefix,
)
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Network, Organisation
from tremplin.procurement.explain import format_input
from tremplin.procurement.models import Clause, Contract
from tremplin.procurement.selectors import contracts_visible_to


def importer_network_ids(scope: UserScope) -> frozenset[int]:
    """Networks whose open data the user imports and reads: those of the facilitator
    structures they work for, and those they coordinate."""
    if not (scope.facilitator_ids or scope.coordinated_network_ids):
        return frozenset()
    own = Organisation.objects.filter(pk__in=scope.facilitator_ids).values_list(
        "network_id", flat=True
    )
    return frozenset(own) | scope.coordinated_network_ids


def importer_networks(scope: UserScope) -> QuerySet[Network]:
    return Network.objects.filter(pk__in=importer_network_ids(scope)).order_by("name")


def imports_visible_to(scope: UserScope) -> QuerySet[DecpImport]:
    return DecpImport.objects.filter(network_id__in=importer_network_ids(scope))


def import_detail(scope: UserScope, pk: int) -> DecpImport:
    """One import of the user's networks (raises DecpImport.DoesNotExist)."""
    return imports_visible_to(scope).select_related("network", "created_by").get(pk=pk)


def import_list(scope: UserScope) -> QuerySet[DecpImport]:
    return (
        imports_visible_to(scope)
        .select_related("network", "created_by")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ReasonCount:
    field: str
    reason: str  # the reason with its quoted values elided
    example: str  # one reason as written, with its values
    count: int


def rejection_counts(decp_import: DecpImport) -> list[ReasonCount]:
    """How many records were rejected for each reason, the most frequent first."""
    rows = (
        DecpRejection.objects.filter(decp_import=decp_import)
        .values("field", "reason_kind")
        .annotate(count=Count("pk"), first=Min("pk"))
        .order_by("-count", "field", "reason_kind")
    )
    rows = list(rows)
    examples = dict(
        DecpRejection.objects.filter(pk__in=[row["first"] for row in rows]).values_list(
            "pk", "reason"
        )
    )
    return [
        ReasonCount(
            field=row["field"],
            reason=row["reason_kind"],
            example=examples.get(row["first"], ""),
            count=row["count"],
        )
        for row in rows
    ]


def rejections(decp_import: DecpImport) -> QuerySet[DecpRejection]:
    return DecpRejection.objects.filter(decp_import=decp_import).order_by("position", "pk")


def rejection_export_rows(decp_import: DecpImport) -> QuerySet[Any]:
    return rejections(decp_import).values_list("position", "identifier", "field", "reason")


# Records ----------------------------------------------------------------------------------


def records_visible_to(scope: UserScope) -> QuerySet[DecpRecord]:
    return DecpRecord.objects.filter(network_id__in=importer_network_ids(scope))


def record_list(
    scope: UserScope,
    *,
    buyer_id: int | None = None,
    year: int | None = None,
    social_only: bool = False,
) -> QuerySet[DecpRecord]:
    records = records_visible_to(scope)
    if buyer_id is not None:
        records = records.filter(buyer_id=buyer_id)
    if year is not None:
        records = records.filter(notified_on__year=year)
    if social_only:
        records = records.filter(has_social=True)
    return (
        records.select_related("buyer")
        .defer("subcontracting", "modifications", "corrections", "published_holders")
        .order_by("-notified_on", "buyer__name", "identifier", "pk")
    )


def record_buyers(scope: UserScope) -> QuerySet[Organisation]:
    """The buyers of the records the user sees, for the filter."""
    return Organisation.objects.filter(
        pk__in=records_visible_to(scope).values("buyer_id")
    ).order_by("name")


def record_years(scope: UserScope) -> list[int]:
    years = (
        records_visible_to(scope)
        .filter(notified_on__isnull=False)
        .annotate(year=ExtractYear("notified_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


# Clause opportunities ----------------------------------------------------------------------


def opportunity_network(
    scope: UserScope, slug: str | None = None, networks: list[Network] | None = None
) -> Network:
    """The network named by ``slug`` among those whose open data the user reads (or
    among ``networks``, that list already read); without a slug, the one they coordinate,
    else their first. Raises Network.DoesNotExist.

    The opportunity selectors below take this network as proof of access."""
    if networks is None:
        networks = list(importer_networks(scope))
    if slug:
        named = [network for network in networks if network.slug == slug]
        if not named:
            raise Network.DoesNotExist(slug)
        return named[0]
    coordinated = [n for n in networks if n.pk in scope.coordinated_network_ids]
    if coordinated:
        return coordinated[0]
    if not networks:
        raise Network.DoesNotExist()
    return min(networks, key=lambda network: network.pk)


def may_edit_opportunity_settings(scope: UserScope, network: Network) -> bool:
    return network.pk in scope.coordinated_network_ids


def opportunity_settings(network: Network) -> OpportunitySettings:
    """The network's settings, or the defaults (unsaved) while it has never changed them."""
    saved = OpportunitySettings.objects.filter(network=network).first()
    return saved or OpportunitySettings(network=network)


def opportunity_settings_history(network: Network, limit: int = 10) -> list[DecpEvent]:
    return list(
        DecpEvent.objects.filter(
            network=network, action=DecpEventAction.OPPORTUNITY_SETTINGS_UPDATED
        )
        .select_related("actor")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def default_formula(network: Network) -> DefaultFormula:
    return DefaultFormula(
        labour_share=network.default_labour_share,
        insertion_rate=network.default_insertion_rate,
        hourly_cost=network.default_hourly_cost,
        hours_per_fte=network.hours_per_fte,
    )


def _covered() -> ExpressionWrapper:
    """A record already carries a clause: a social consideration in the open data, or the
    contract followed in Tremplin has a social clause (or is reserved)."""
    followed_clause = Exists(Clause.objects.filter(contract_id=OuterRef("contract_id")))
    return ExpressionWrapper(
        Q(has_social=True)
        | Q(contract__social_clause=True)
        | Q(contract__reserved_contract=True)
        | Q(followed_clause),
        output_field=BooleanField(),
    )


def _candidates(
    scope: UserScope,
    network: Network,
    rules: OpportunityRules,
    *,
    buyer_id: int | None,
    year_from: int | None,
    year_to: int | None,
) -> QuerySet[DecpRecord]:
    """The network's records that may be opportunities: the database keeps only those
    that can meet the rules, and ``opportunities.assess`` decides with its reasons."""
    records = DecpRecord.objects.filter(network=network)
    if buyer_id is not None:
        records = records.filter(buyer_id=buyer_id)
    if year_from is not None:
        records = records.filter(notified_on__year__gte=year_from)
    if year_to is not None:
        records = records.filter(notified_on__year__lte=year_to)
    prefixes = [item.prefix for item in rules.prefixes if valid_prefix(item.prefix)]
    if not prefixes:
        return records.none()
    kinds = Q()
    for prefix in prefixes:
        kinds |= Q(cpv_code__startswith=prefix)
    records = records.filter(kinds, amount__gte=max(rules.min_amount, Decimal("0.01")))
    if rules.min_duration_months > 0:
        records = records.filter(duration_months__gte=rules.min_duration_months)
    return records


def _contract_rows(records: QuerySet[DecpRecord]) -> Iterator[ContractRow]:
    values = (
        records.annotate(covered=_covered())
        .order_by("-notified_on", "buyer__name", "identifier", "pk")
        .values_list(
            "pk",
            "buyer_id",
            "buyer__name",
            "notified_on",
            "cpv_code",
            "amount",
            "duration_months",
            "covered",
            "identifier",
            "object",
        )
    )
    for (
        pk,
        buyer,
        name,
        notified,
        cpv,
        amount,
        duration,
        covered,
        identifier,
        title,
    ) in values.iterator(chunk_size=2000):
        yield ContractRow(
            key=pk,
            buyer_id=buyer,
            buyer_name=name,
            notified_on=notified,
            cpv_code=cpv,
            amount=amount,
            duration_months=duration,
            covered=bool(covered),
            identifier=identifier,
            object=title,
        )


@dataclass(frozen=True)
class OpportunityReport:
    """The clause opportunities of a network (or one of its buyers) over a period."""

    network: Network
    settings: OpportunitySettings
    formula: DefaultFormula
    opportunities: list[Opportunity]  # every one, covered or not: the totals count them all
    summary: Summary
    uncovered_only: bool

    @property
    def listed(self) -> list[Opportunity]:
        """The contracts the list shows: without a clause only, when asked."""
        if self.uncovered_only:
            return [item for item in self.opportunities if not item.row.covered]
        return self.opportunities


def opportunity_report(
    scope: UserScope,
    network: Network,
    *,
    buyer_id: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    uncovered_only: bool = False,
) -> OpportunityReport:
    settings_row = opportunity_settings(network)
    rules = settings_row.rules()
    formula = default_formula(network)
    records = _candidates(
        scope, network, rules, buyer_id=buyer_id, year_from=year_from, year_to=year_to
    )
    found = find_opportunities(_contract_rows(records), rules, formula)
    return OpportunityReport(
        network=network,
        settings=settings_row,
        formula=formula,
        opportunities=found,
        summary=summarise(found, network.hours_per_fte),
        uncovered_only=uncovered_only,
    )


def opportunity_buyers(scope: UserScope, network: Network) -> QuerySet[Organisation]:
    """The buyers of the network's records, for the filter."""
    return Organisation.objects.filter(
        pk__in=DecpRecord.objects.filter(network=network).values("buyer_id")
    ).order_by("name")


def opportunity_years(scope: UserScope, network: Network) -> list[int]:
    years = (
        DecpRecord.objects.filter(network=network, notified_on__isnull=False)
        .annotate(year=ExtractYear("notified_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


def formula_text(opportunity: Opportunity) -> str:
    """« 1 200 000 € × 40 % × 7 % ÷ 25 € = 1 344 h » (with the rounding when it applies)."""
    inputs = opportunity.obligation.inputs.used()
    shown = {name: format_input(name, value) for name, value in inputs.items()}
    left = (
        f"{shown['amount']} × {shown['labour_share']} × {shown['insertion_rate']}"
        f" ÷ {shown['hourly_cost']}"
    )
    exact = opportunity.obligation.exact_hours
    rounded = opportunity.obligation.hours
    if exact == rounded:
        return f"{left} = {hours(rounded)}\u00a0h"
    return f"{left} = {hours(exact)}\u00a0h → {hours(rounded)}\u00a0h"


def formula_inputs_text(formula: DefaultFormula) -> dict[str, str]:
    """The network's default inputs as the pages show them (« 40 % », « 5,5 % », « 30 € »)."""
    return {
        "labour_share": format_input("labour_share", formula.labour_share),
        "insertion_rate": format_input("insertion_rate", formula.insertion_rate),
        "hourly_cost": format_input("hourly_cost", formula.hourly_cost),
    }


# One record, and following it as a contract ------------------------------------------------


@dataclass(frozen=True)
class PublishedParty:
    """A holder or a subcontractor as published, with its organisation when it has one."""

    name: str
    identifier: str
    id_kind: str
    organisation: Organisation | None = None

    @property
    def label(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        return self.name or f"{self.id_kind} {self.identifier}".strip() or "Sans nom"


@dataclass(frozen=True)
class SubcontractingAct:
    identifier: str
    subcontractor: PublishedParty | None
    amount: Decimal | None
    duration_months: int | None
    notified_on: date | None
    published_on: date | None


@dataclass(frozen=True)
class RecordModification:
    identifier: str
    object: str
    amount: Decimal | None
    duration_months: int | None
    holders: list[PublishedParty]
    notified_on: date | None
    published_on: date | None


@dataclass(frozen=True)
class RecordPage:
    """A record with what its page shows beside its own fields."""

    record: DecpRecord
    holders: list[PublishedParty]
    cpv_label: str  # the network's label of the kind of work, or ""
    subcontracting: list[SubcontractingAct]
    modifications: list[RecordModification]
    followed_contract_visible: bool  # the user may open the contract followed in Tremplin
    may_follow: bool  # the user works for a facilitator structure of the record's network


def _json_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def _json_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _json_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _party(value: Any, organisations: dict[str, Organisation]) -> PublishedParty | None:
    """A party as the import stored it: ``{"id", "name", "id_kind"}`` (the holders) or
    ``{"identifier", "name", "id_kind"}`` (subcontractors and modifications)."""
    if not isinstance(value, dict):
        return None
    identifier = str(value.get("identifier", value.get("id", "")) or "")
    id_kind = str(value.get("id_kind", "") or "")
    return PublishedParty(
        name=str(value.get("name", "") or ""),
        identifier=identifier,
        id_kind=id_kind,
        organisation=organisations.get(identifier) if id_kind.upper() == "SIRET" else None,
    )


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def record_detail(scope: UserScope, pk: int) -> DecpRecord:
    """One record of the user's networks (raises DecpRecord.DoesNotExist)."""
    return (
        records_visible_to(scope)
        .select_related("buyer", "network", "last_import", "contract__facilitator")
        .prefetch_related("holder_links__organisation")
        .get(pk=pk)
    )


def follow_structures(scope: UserScope, record: DecpRecord) -> QuerySet[Organisation]:
    """The user's own facilitator structures that may follow the record: those of its
    network (a contract's buyer and facilitator belong to one network)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR,
        pk__in=scope.facilitator_ids,
        network_id=record.network_id,
    ).order_by("name")


def record_subcontractors(record: DecpRecord) -> list[Organisation]:
    """The organisations of the record's network that its subcontracting acts name by
    SIRET (the import creates them, as it creates holders), in the order of the acts."""
    sirets: list[str] = []
    for item in _list_of_dicts(record.subcontracting):
        party = _party(item.get("subcontractor"), {})
        if party is not None and party.id_kind.upper() == "SIRET" and party.identifier:
            sirets.append(party.identifier)
    if not sirets:
        return []
    found = {
        organisation.siret: organisation
        for organisation in Organisation.objects.filter(
            network_id=record.network_id,
            siret__in=sirets,
            kind__in=[OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER],
        )
    }
    return list({siret: found[siret] for siret in sirets if siret in found}.values())


def record_page(scope: UserScope, record: DecpRecord) -> RecordPage:
    organisations = {
        organisation.siret: organisation for organisation in record_subcontractors(record)
    } | {link.organisation.siret: link.organisation for link in record.holder_links.all()}
    holders = [
        party
        for item in _list_of_dicts(record.published_holders)
        if (party := _party(item, organisations)) is not None
    ]
    subcontracting = [
        SubcontractingAct(
            identifier=str(item.get("identifier", "") or ""),
            subcontractor=_party(item.get("subcontractor"), organisations),
            amount=_json_decimal(item.get("amount")),
            duration_months=_json_int(item.get("duration_months")),
            notified_on=_json_date(item.get("notified_on")),
            published_on=_json_date(item.get("published_on")),
        )
        for item in _list_of_dicts(record.subcontracting)
    ]
    modifications = [
        RecordModification(
            identifier=str(item.get("identifier", "") or ""),
            object=str(item.get("object", "") or ""),
            amount=_json_decimal(item.get("amount")),
            duration_months=_json_int(item.get("duration_months")),
            holders=[
                party
                for holder in _list_of_dicts(item.get("holders"))
                if (party := _party(holder, organisations)) is not None
            ],
            notified_on=_json_date(item.get("notified_on")),
            published_on=_json_date(item.get("published_on")),
        )
        for item in _list_of_dicts(record.modifications)
    ]
    prefix = (
        matching_prefix(record.cpv_code, opportunity_settings(record.network).prefixes)
        if record.cpv_code
        else None
    )
    followed_visible = (
        record.contract_id is not None
        and contracts_visible_to(scope).filter(pk=record.contract_id).exists()
    )
    return RecordPage(
        record=record,
        holders=holders,
        cpv_label=prefix.label if prefix else "",
        subcontracting=subcontracting,
        modifications=modifications,
        followed_contract_visible=followed_visible,
        may_follow=follow_structures(scope, record).exists(),
    )


def record_to_follow(scope: UserScope, pk: int) -> DecpRecord:
    """A record the user may follow: one of the networks of their own facilitator
    structures (raises DecpRecord.DoesNotExist)."""
    networks = Organisation.objects.filter(
        kind=OrganisationKind.FACILITATOR, pk__in=scope.facilitator_ids
    ).values("network_id")
    return (
        DecpRecord.objects.filter(network_id__in=networks)
        .select_related("buyer", "network", "contract")
        .prefetch_related("holder_links__organisation")
        .get(pk=pk)
    )


def record_of_contract(scope: UserScope, contract: Contract) -> DecpRecord | None:
    """The open-data record a contract is followed from, if the user reads the network's
    open data (the latest publication when several records point to it)."""
    return (
        records_visible_to(scope)
        .filter(contract=contract)
        .defer("corrections", "published_holders")
        .order_by("-published_on", "-pk")
        .first()
    )
