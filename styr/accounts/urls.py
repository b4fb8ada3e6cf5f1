from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.users, name="users"),
    path("bjud-in/", views.invite, name="invite"),
    path("roller/", views.grant, name="grant"),
    path("roller/<int:grant_id>/ta-bort/", views.revoke, name="revoke"),
    path("<int:user_id>/inaktivera/", views.deactivate, name="deactivate"),
]
