from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:token_id>/aterkalla/", views.revoke, name="revoke"),
]
