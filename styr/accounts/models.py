from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history


class User(AbstractUser):
    """Styr's own user model, in place from day one so it can grow without a data migration."""

    # Password hashes and sign-in times are not history worth keeping.
    history = track_history(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
