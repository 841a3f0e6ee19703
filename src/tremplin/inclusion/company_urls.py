from django.urls import path

from tremplin.inclusion import company_views

app_name = "company"

urlpatterns = [
    path("", company_views.home, name="home"),
    path("marches/<int:pk>/", company_views.contract_detail, name="contract_detail"),
    path(
        "marches/<int:pk>/declarer/", company_views.participant_declare, name="participant_declare"
    ),
    path("mises-en-emploi/<int:pk>/", company_views.placement_detail, name="placement_detail"),
    path("mises-en-emploi/<int:pk>/heures/", company_views.hours_declare, name="hours_declare"),
    path(
        "mises-en-emploi/<int:pk>/criteres/<int:criterion_pk>/justificatif/",
        company_views.criterion_resubmit,
        name="criterion_resubmit",
    ),
    path("postes/", company_views.job_search, name="job_search"),
]
