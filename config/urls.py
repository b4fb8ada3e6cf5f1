from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The web interface proper arrives with its own issue; until then the admin is the way in.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
