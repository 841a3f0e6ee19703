"""Hiring needs are listed in the admin; referrals hold candidates' personal data and go
through the pages only, like participants."""

from django.contrib import admin

from tremplin.matching.models import HiringNeed


@admin.register(HiringNeed)
class HiringNeedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["job", "contract", "employer", "positions", "start_date", "status"]
    list_filter = ["status", "contract_type"]
    raw_id_fields = ["contract", "employer", "job", "created_by"]
