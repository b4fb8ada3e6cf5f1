from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from config.api import api_urls
from styr.web.views import pages as web_pages

admin.site.site_header = _("Styr – administration")
admin.site.site_title = _("Styr")
admin.site.index_title = _("Goals, organisation and governance model")

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("anvandare/", include("styr.accounts.urls")),
    path("meddelanden/", include("styr.workflow.urls")),
    path("konto/api-nycklar/", include("styr.api_tokens.urls")),
    # The API: its own authentication (session or API key), 401 rather than a sign-in page.
    path("api/v1/", api_urls()),
    # An invited person chooses a password through Django's own reset views.
    path(
        "konto/losenord/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/losenord/klart/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Mitt uppdrag is the start page; the rest of the web interface under its Swedish paths.
    path("", web_pages.home, name="home"),
    path("", include("styr.web.urls")),
]

if settings.OIDC_ENABLED:
    # Single sign-on: the way in must be open to those not yet signed in.
    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(OIDCAuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
        path("oidc/logout/", OIDCLogoutView.as_view(), name="oidc_logout"),
    ]
