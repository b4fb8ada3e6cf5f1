from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from styr.organisation.models import Municipality


def municipality_by_code(code: str) -> Municipality:
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist:
        known = ", ".join(Municipality.objects.order_by("code").values_list("code", flat=True))
        raise CommandError(
            _("No municipality has the code %(code)s. Loaded: %(known)s.")
            % {"code": code, "known": known or "–"}
        ) from None
