"""Production: everything from the environment; refuse to start without a secret; HTTPS only.

`DJANGO_SETTINGS_MODULE=config.settings.production styr check --deploy` is clean with these."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY måste vara satt i produktion.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("STYR_SSL_REDIRECT", True)
# Behind nginx, which terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("STYR_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("STYR_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("STYR_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-styr-session"
CSRF_COOKIE_NAME = "__Host-styr-csrf"
