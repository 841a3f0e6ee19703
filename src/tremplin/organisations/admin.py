from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tremplin.organisations.models import (
    Membership,
    Network,
    NetworkCoordinator,
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
