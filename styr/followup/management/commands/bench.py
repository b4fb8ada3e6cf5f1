from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from styr.followup.benchmark import followup_benchmark

from ._options import municipality_by_code


class Command(BaseCommand):
    help = _(
        "Measure the follow-up roll-up and lint on a municipality (made by styr generate) "
        "against a plain SQL aggregate over the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", default="9180", metavar="KOD")
        parser.add_argument("--year", type=int, default=2026, metavar="ÅR")
        parser.add_argument("--repeat", type=int, default=15)

    def handle(self, *args, municipality, year, repeat, **options):
        result = followup_benchmark(
            municipality=municipality_by_code(municipality), year=year, repeat=repeat
        )
        self.stdout.write(
            _(
                "Database: %(vendor)s. Period: %(period)s, %(assessments)s goal assessments, "
                "%(outcomes)s outcome rows. Median of %(repeat)s runs."
            )
            % {
                "vendor": connection.vendor,
                "period": result.period.name,
                "assessments": result.assessments,
                "outcomes": result.outcomes,
                "repeat": repeat,
            }
        )
        self.stdout.write(f"| {_('case')} | {_('median ms')} | {_('best ms')} | {_('queries')} |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        for t in result.timings:
            self.stdout.write(f"| {t.name} | {t.median_ms:.1f} | {t.best_ms:.1f} | {t.queries} |")
        self.stdout.write(
            _("Roll-up ÷ floor (whole municipality): %(ratio).1f") % {"ratio": result.ratio()}
        )
