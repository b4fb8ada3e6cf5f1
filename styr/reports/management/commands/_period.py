from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from styr.followup.models import ReportingPeriod


def add_period(parser) -> None:
    parser.add_argument("--period", required=True, metavar="PERIOD", help=_("The period's key."))
    parser.add_argument(
        "--month", type=int, metavar="MÅNAD", help=_("For a period that recurs, its last month.")
    )


def period_by_key(municipality, year: int, key: str, month: int | None) -> ReportingPeriod:
    periods = ReportingPeriod.objects.filter(
        municipality=municipality, year=year, definition__key=key
    ).select_related("definition")
    if month is not None:
        periods = periods.filter(month=month)
    found = list(periods)
    if len(found) == 1:
        return found[0]
    if found:
        raise CommandError(
            _("%(key)s recurs in %(year)s: give --month (%(months)s).")
            % {"key": key, "year": year, "months": ", ".join(str(p.month) for p in found)}
        )
    known = sorted(
        set(
            ReportingPeriod.objects.filter(municipality=municipality, year=year).values_list(
                "definition__key", flat=True
            )
        )
    )
    raise CommandError(
        _("No period %(key)s in %(year)s. There are: %(known)s.")
        % {"key": key, "year": year, "known": ", ".join(known) or "–"}
    )
