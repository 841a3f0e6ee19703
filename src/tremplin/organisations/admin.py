from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from tremplin.organisations.models import (
    Invitation,
    Membership,
    Network,
    NetworkCoordinator,
    NetworkEvent,
    Organisation,
    User,
)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "territory", "hours_per_fte", "default_hourly_cost", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "inclusion_employer_kind", "siret", "network", "facilitator"]
    list_filter = ["network", "kind", "inclusion_employer_kind"]
    search_fields = ["name", "siret", "city"]
    autocomplete_fields = ["facilitator"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(NetworkCoordinator)
class NetworkCoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "network"]
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NetworkEvent)
class NetworkEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "network", "actor", "action", "object_type", "object_id"]
    list_filter = ["network", "action"]
    list_select_related = ["network", "actor"]
    date_hierarchy = "occurred_at"
    fields = [
        "occurred_at",
        "network",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
    ]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations, never their token (only its digest is stored, and it is not shown)."""

    list_display = ["email", "organisation", "invited_by", "sent_at", "expires_at", "accepted_at"]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email", "organisation__name"]
    fields = [
        "organisation",
        "email",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
