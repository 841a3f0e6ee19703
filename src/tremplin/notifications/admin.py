"""Notifications are listed read-only: they are written by the application, never by hand."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tremplin.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [
        "recipient",
        "kind",
        "title",
        "body",
        "url",
        "dedup_key",
        "created_at",
        "read_at",
        "emailed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
