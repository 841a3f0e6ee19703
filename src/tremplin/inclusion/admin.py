"""Only reference data is edited in the admin; personal data goes through the pages.

Imports of hours and column mappings are listed read-only, without their content: the
files and their error reports hold personal data and are never shown here.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tremplin.inclusion.models import ColumnMapping, EligibilityCriterion, HoursImport


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "validity_months", "position"]
    filter_horizontal = ["networks"]
    ordering = ["position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HoursImport)
class HoursImportAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "organisation",
        "created_at",
        "finished_at",
        "status",
        "rows_read",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    list_filter = ["status"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "file_name"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "file_name",
        "file_format",
        "file_size",
        "created_at",
        "finished_at",
        "status",
        "row_count",
        "rows_read",
        "created_count",
        "updated_count",
        "unchanged_count",
        "hours_imported",
        "error_count",
    ]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "label", "field", "updated_at"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "label"]
    fields = ["organisation", "label", "field", "updated_at"]
