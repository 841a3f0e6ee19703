from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tremplin.organisations import invitation_views
from tremplin.reporting import views as reporting_views

admin.site.site_header = "Administration de Tremplin"
admin.site.site_title = "Tremplin"
admin.site.index_title = "Référentiels et paramètres"

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("marches/", include("tremplin.procurement.urls")),
    path("organisations/", include("tremplin.organisations.urls")),
    path("participants/", include("tremplin.inclusion.urls")),
    path("entreprise/", include("tremplin.inclusion.company_urls")),
    path("eligibilite/", include("tremplin.inclusion.eligibility_urls")),
    path("recrutements/", include("tremplin.matching.urls")),
    path("notifications/", include("tremplin.notifications.urls")),
    path("donnees-decp/", include("tremplin.decp.urls")),
    path("invitation/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("impact/", include("tremplin.reporting.urls")),
    path("donnees-ouvertes/", include("tremplin.reporting.opendata_urls")),
    path("admin/", admin.site.urls),
]
