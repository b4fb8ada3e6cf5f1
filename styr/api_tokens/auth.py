"""How the API knows who calls: a personal key in `Authorization: Bearer`, or the browser's
session (with its CSRF token on writes). Either way the request acts as the person."""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    """A personal API key. A wrong or revoked key is refused outright (401), even with a
    session; `write=True` also refuses a read-only key (403)."""

    def __init__(self, *, write: bool = False) -> None:
        self.write = write
        super().__init__()

    def authenticate(self, request, token: str):
        row = api_token_authenticate(token=token)
        if row is None:
            raise AuthenticationError(401, _("The API key is wrong or has been revoked."))
        if self.write and not row.may_write:
            raise HttpError(403, _("This API key may only read."))
        request.user = row.user
        request.api_token = row
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's session; writes need the CSRF token, as in the web interface."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(
                403, _("The CSRF token is missing or wrong. Reload the page and try again.")
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


READ = [TokenAuth(), SessionAuth()]
WRITE = [TokenAuth(write=True), SessionAuth()]
