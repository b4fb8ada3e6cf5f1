"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("STYR_DATA_DIR", BASE_DIR / "data"))
# SQLite cannot create the folder its file lives in; a fresh checkout has no data folder yet.
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "styr.core",
    "styr.accounts",
    "styr.organisation",
    "styr.governance",
    "styr.planning",
    "styr.followup",
    "styr.access",
    "styr.workflow",
    "styr.reports",
    "styr.kolada",
    "styr.economy",
    "styr.internal_control",
    "styr.transfer",
    "styr.api_tokens",
    "styr.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "styr.core.context_processors.sign_in",
                "styr.core.context_processors.theme",
            ],
        },
    },
]

# DATABASE_URL selects the database; without it, an SQLite file in the data folder.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'styr.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
# DATABASE_REPLICA_URL adds a read replica (PostgreSQL streaming replication): GET and HEAD
# requests read from it, everything else uses the primary (styr/core/db_router.py). In the tests
# the alias is a mirror of the test database.
if os.environ.get("DATABASE_REPLICA_URL"):
    # conn_health_checks: a kept connection is checked before a request reuses it, so that
    # the router notices a replica that went away and reads the primary instead.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["styr.core.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(0, "styr.core.db_router.ReplicaMiddleware")
# How long a browser keeps reading from the primary after it saved something.
STYR_REPLICA_PIN_SECONDS = int(os.environ.get("STYR_REPLICA_PIN_SECONDS", "10"))
# How long an app server reads only the primary after it could not reach the replica.
STYR_REPLICA_RETRY_SECONDS = int(os.environ.get("STYR_REPLICA_RETRY_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"

# --- Sign-in ----------------------------------------------------------------------------------
# Local accounts: Django's default PBKDF2 hashing (Argon2 would need a C library), the standard
# password validators, and django-axes: after STYR_LOGIN_FAILURES failed attempts for the same user
# name from the same address, sign-in is refused for STYR_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("STYR_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("STYR_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Single sign-on with OpenID Connect (e.g. Microsoft Entra ID), on when STYR_OIDC_CLIENT_ID is set.
# STYR_OIDC_GROUP_ROLES maps the identity provider's groups to roles on units, as JSON:
#   {"<group>": [{"municipality": "0180", "unit": "SDN-SOD", "role": "reporter"}]}
OIDC_ENABLED = bool(os.environ.get("STYR_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("styr.accounts.oidc.StyrOIDCBackend")
OIDC_RP_CLIENT_ID = os.environ.get("STYR_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("STYR_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("STYR_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("STYR_OIDC_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("STYR_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("STYR_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("STYR_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("STYR_OIDC_JWKS_ENDPOINT", "")
OIDC_USERNAME_ALGO = "styr.accounts.oidc.username_from_email"
OIDC_GROUPS_CLAIM = os.environ.get("STYR_OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLES = os.environ.get("STYR_OIDC_GROUP_ROLES", "{}")
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Sessions, cookies and headers ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("STYR_SESSION_HOURS", "10")) * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Nothing is loaded from elsewhere and no script runs inline. Styles may be inline: the admin
# sets a few style attributes, and an inline style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *env_list("STYR_CSP_FORM_ACTION")],
        "frame-ancestors": ["'none'"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Everything a user reads is Swedish, whatever language the browser asks for.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STYR_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Mail and reminders ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "STYR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("STYR_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("STYR_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("STYR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("STYR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("STYR_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("STYR_EMAIL_FROM", "styr@localhost")
# How many days before a deadline `styr remind` reminds the reporters.
STYR_REMINDER_DAYS = int(os.environ.get("STYR_REMINDER_DAYS", "3"))

# Background work (large documents) on Django's task framework: the tasks wait in the database and
# `styr db_worker` runs them, so nothing but the database is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
