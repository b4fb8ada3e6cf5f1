from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from styr.organisation.models import Municipality


def add_municipality_and_year(parser) -> None:
    parser.add_argument("--municipality", required=True, metavar="KOD")
    parser.add_argument("--year", required=True, type=int, metavar="ÅR")


def municipality_by_code(code: str) -> Municipality:
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist:
        known = ", ".join(Municipality.objects.order_by("code").values_list("code", flat=True))
        raise CommandError(
            _("No municipality has the code %(code)s. Loaded: %(known)s.")
            % {"code": code, "known": known or "–"}
        ) from None
