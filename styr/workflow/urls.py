from django.urls import path

from . import views

app_name = "workflow"

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("lasta/", views.notifications_read, name="notifications_read"),
]
