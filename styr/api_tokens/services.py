import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, token_hash

TOKEN_PREFIX = "styr_"


@transaction.atomic
def api_token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new key for `user`; returns the row and the key itself, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name, e.g. the system that will use it.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read or read and write.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        key_hash=token_hash(token),
    )
    return row, token


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, token: str) -> ApiToken | None:
    """The active key with this value, its person active; notes when it was last used."""
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(token.strip()), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most, so that a busy integration does not write on every request.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def api_tokens_of(*, user):
    return ApiToken.objects.filter(user=user)
