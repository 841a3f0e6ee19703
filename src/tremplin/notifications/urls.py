from django.urls import path

from tremplin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/ouvrir/", views.notification_open, name="open"),
    path("tout-marquer-comme-lu/", views.notification_mark_all_read, name="mark_all_read"),
]
