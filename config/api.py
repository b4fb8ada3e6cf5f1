"""The one API: /api/v1/, described by OpenAPI at /api/v1/openapi.json, with a docs page.

Each app brings a Router (its `api.py`) and schemas (its `schemas.py`); endpoints call the same
policy, selectors and services as the web interface. Every error is JSON with a Swedish `detail`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from styr.api_tokens.auth import READ
from styr.core.versioning import ConflictError
from styr.followup.api import router as followup_router
from styr.organisation.api import router as organisation_router
from styr.planning.api import router as planning_router

api = NinjaAPI(
    title="Styr API",
    version="1",
    description=(
        "Mål- och resultatstyrning: read what you may see, report outcomes where you may "
        "report. Sign in with the browser's session or send a personal API key as "
        "`Authorization: Bearer <key>`."
    ),
    urls_namespace="api",
    auth=READ,
)
api.add_router("/", organisation_router)
api.add_router("/", planning_router)
api.add_router("/", followup_router)


def _error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc: AuthenticationError):
    message = exc.message if exc.message != "Unauthorized" else None
    return _error(request, 401, message or _("Sign in, or send a valid API key."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if message.startswith("Cannot parse request body"):  # django-ninja's own, in English
        message = _("The request body is not valid JSON.")
    return _error(request, exc.status_code, message)


@api.exception_handler(SchemaError)
def _schema_error(request, exc: SchemaError):
    errors = [
        {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _error(
        request,
        422,
        _("The request is not as the API describes it; see errors."),
        errors=errors,
    )


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return _error(request, 404, str(exc) if exc.args else _("Not found, or not yours to see."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(ConflictError)
def _conflict(request, exc: ConflictError):
    return _error(request, 409, " ".join(exc.messages))


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return _error(request, 400, " ".join(exc.messages), errors=exc.message_dict)
    return _error(request, 400, " ".join(exc.messages))


def api_urls():
    """The API's URLs. Its views answer 401 themselves to whoever is not signed in, so the
    sign-in redirect of LoginRequiredMiddleware must not apply to them."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
