"""Only reference data is edited in the admin; personal data goes through the pages."""

from django.contrib import admin

from tremplin.inclusion.models import EligibilityCriterion


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "validity_months", "position"]
    filter_horizontal = ["networks"]
    ordering = ["position"]
