from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import (
    add_municipality_and_year,
    municipality_by_code,
)
from styr.reports.import_benchmark import import_benchmark

from ._period import add_period, period_by_key


class Command(BaseCommand):
    help = _(
        "Time reading in a CSV file of many outcome rows on a generated municipality "
        "(styr generate), then the same file again. Nothing is kept."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)
        add_period(parser)
        parser.add_argument("--rows", type=int, default=100_000, metavar="RADER")

    def handle(self, *args, municipality, year, period, month, rows, **options):
        municipality = municipality_by_code(municipality)
        chosen = period_by_key(municipality, year, period, month)
        result = import_benchmark(municipality=municipality, period=chosen, rows=rows)
        for label, run in ((_("First import"), result.first), (_("Same file again"), result.again)):
            self.stdout.write(
                _("%(label)s: %(seconds).1f s. %(summary)s")
                % {"label": label, "seconds": run.seconds, "summary": run.summary}
            )
