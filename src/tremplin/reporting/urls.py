from django.urls import path

from tremplin.reporting import views

app_name = "reporting"

urlpatterns = [
    path("reseau/", views.network_dashboard, name="network_dashboard"),
]
