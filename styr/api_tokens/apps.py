from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    name = "styr.api_tokens"
    label = "api_tokens"
    verbose_name = _("API keys")
