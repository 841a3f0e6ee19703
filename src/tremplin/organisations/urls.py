from django.urls import path

from tremplin.organisations import invitation_views, views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("nouvelle/", views.organisation_create, name="organisation_create"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/confirmer/", views.organisation_confirm, name="organisation_confirm"),
    path("<int:pk>/inviter/", invitation_views.invitation_create, name="invitation_create"),
    path("reseau/regles/", views.network_rules, name="network_rules"),
]
