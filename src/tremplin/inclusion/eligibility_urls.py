from django.urls import path

from tremplin.inclusion import eligibility_views

app_name = "eligibility"

urlpatterns = [
    path("a-verifier/", eligibility_views.criteria_review, name="criteria_review"),
    path("<int:pk>/confirmer/", eligibility_views.criterion_confirm, name="criterion_confirm"),
    path("<int:pk>/refuser/", eligibility_views.criterion_refuse, name="criterion_refuse"),
    path("<int:pk>/justificatif/", eligibility_views.evidence_file, name="evidence_file"),
]
