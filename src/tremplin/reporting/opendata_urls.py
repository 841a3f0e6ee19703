"""Open data, public: /donnees-ouvertes/."""

from django.urls import path

from tremplin.reporting import opendata_views as views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("schema.json", views.schema, name="schema"),
    path("<slug:slug>/", views.network_page, name="network"),
    path("<slug:slug>/donnees.json", views.network_json, name="network_json"),
    path("<slug:slug>/acheteurs/<int:pk>/", views.buyer_page, name="buyer"),
    path("<slug:slug>/acheteurs/<int:pk>/donnees.json", views.buyer_json, name="buyer_json"),
]
