from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import (
    add_municipality_and_year,
    municipality_by_code,
)
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.report_benchmark import report_benchmark

from ._period import add_period, period_by_key


class Command(BaseCommand):
    help = _(
        "Time a unit's period report with the units below as DOCX and PDF, and the assembly of "
        "the whole municipality's annual report, on a generated municipality (styr generate)."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)
        add_period(parser)
        parser.add_argument("--unit", default="N01", metavar="ENHETSKOD")
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, municipality, year, period, month, unit, repeat, **options):
        municipality = municipality_by_code(municipality)
        chosen = period_by_key(municipality, year, period, month)
        found = OrgUnit.objects.filter(municipality=municipality, code=unit).first()
        if found is None:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": unit})
        final = (
            ReportingPeriod.objects.filter(
                municipality=municipality, year=year, definition__kind="final"
            )
            .order_by("-month")
            .first()
        )
        if final is None:
            raise CommandError(_("The year has no final period."))
        self.stdout.write(
            "| {} | {} | {} | {} |".format(_("case"), _("median"), _("slowest"), _("result"))
        )
        self.stdout.write("| --- | ---: | ---: | --- |")
        for case in report_benchmark(unit=found, period=chosen, final=final, repeat=repeat):
            self.stdout.write(
                f"| {case.name} | {case.median:.1f} s | {case.slowest:.1f} s | {case.detail} |"
            )
