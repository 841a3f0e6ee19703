from django.contrib import admin

from tremplin.core.models import RomeCode, RomeJobTitle


@admin.register(RomeCode)
class RomeCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "professional_domain", "major_domain"]
    search_fields = ["code", "label"]
    list_filter = ["major_domain"]


@admin.register(RomeJobTitle)
class RomeJobTitleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "rome"]
    search_fields = ["title", "rome__code"]
    list_select_related = ["rome"]
