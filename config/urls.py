from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Styr – administration")
admin.site.site_title = _("Styr")
admin.site.index_title = _("Goals, organisation and governance model")

urlpatterns = [
    path("admin/", admin.site.urls),
    # The web interface proper arrives with its own issue; until then the admin is the way in.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
