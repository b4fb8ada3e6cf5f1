"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured only by environment
variables (see config/settings/base.py). A signed-in person's groups at the identity provider
become roles on units, by the mapping in STYR_OIDC_GROUP_ROLES; roles granted by hand in Styr are
left alone."""

import json
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from styr.organisation.services import role_grants_sync

logger = logging.getLogger(__name__)


def username_from_email(email: str) -> str:
    return email.strip().lower()


def group_roles() -> dict[str, list[dict]]:
    try:
        mapping = json.loads(settings.OIDC_GROUP_ROLES or "{}")
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"STYR_OIDC_GROUP_ROLES är inte giltig JSON: {error}") from error
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured("STYR_OIDC_GROUP_ROLES ska vara ett JSON-objekt.")
    return mapping


class StyrOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = claims.get("given_name", user.first_name)
        user.last_name = claims.get("family_name", user.last_name)
        user.email = claims.get("email", user.email)
        user.save()
        groups = claims.get(settings.OIDC_GROUPS_CLAIM, []) or []
        mapping = group_roles()
        wanted = [grant for group in groups for grant in mapping.get(group, [])]
        role_grants_sync(user=user, wanted=wanted)
        return user
