from django.urls import path

from tremplin.decp import views

app_name = "decp"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/avancement/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/rejets/", views.import_rejections, name="import_rejections"),
    path("marches/", views.record_list, name="record_list"),
    path("marches/<int:pk>/", views.record_detail, name="record_detail"),
    path("marches/<int:pk>/suivre/", views.record_follow, name="record_follow"),
    path("opportunites/", views.opportunities, name="opportunities"),
    path("opportunites/reglages/", views.opportunity_settings, name="opportunity_settings"),
]
