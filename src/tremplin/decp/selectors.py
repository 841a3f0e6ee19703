"""Scoped reads of the open procurement data: imports, their rejections, the records.

The open data of a network is imported and read by its facilitator structures and its
coordinators; nobody else sees it here (buyers and companies see their contracts in
procurement)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import ExtractYear

from tremplin.decp.models import DecpImport, DecpRecord, DecpRejection
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, Organisation


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
