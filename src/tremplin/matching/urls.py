from django.urls import path

from tremplin.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("nouveau/", views.need_create, name="need_create"),
    path("employeurs/", views.need_employers, name="need_employers"),
    path("postes/", views.job_search, name="job_search"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/modifier/", views.need_edit, name="need_edit"),
    path("<int:pk>/transmettre/", views.need_submit, name="need_submit"),
    path("<int:pk>/publier/", views.need_publish, name="need_publish"),
    path("<int:pk>/renvoyer/", views.need_send_back, name="need_send_back"),
    path("<int:pk>/clore/", views.need_close, name="need_close"),
    path("<int:pk>/proposer/", views.referral_create, name="referral_create"),
    path("candidatures/", views.referral_list, name="referral_list"),
    path("candidatures/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("candidatures/<int:pk>/etape/", views.referral_move, name="referral_move"),
    path("candidatures/<int:pk>/recruter/", views.referral_hire, name="referral_hire"),
]
