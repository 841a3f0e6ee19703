from django.urls import path

from tremplin.procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("nouveau/", views.contract_create, name="contract_create"),
    path("apercu-obligation/", views.obligation_preview, name="obligation_preview"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/modifier/", views.contract_update, name="contract_update"),
    path("<int:pk>/lots/nouveau/", views.lot_create, name="lot_create"),
]
