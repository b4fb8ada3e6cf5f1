from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Styr's own user model, in place from day one so it can grow without a data migration."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
