from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from styr.followup.benchmark import followup_benchmark
from styr.web.benchmark import LIMIT_MS, dataset_size, page_benchmark

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
        parser.add_argument(
            "--pages",
            action="store_true",
            help=_(
                "measure the main pages instead: each requested --repeat times as a signed-in "
                "chef and controller, with p50 and p95 server time and the queries of a request"
            ),
        )

    def handle(self, *args, municipality, year, repeat, pages, **options):
        if pages:
            self._pages(municipality_by_code(municipality), year, repeat)
            return
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
        # (Translated outside the f-string, where makemessages can find the words.)
        headers = [_("case"), _("median ms"), _("best ms"), _("queries")]
        self.stdout.write("| " + " | ".join(headers) + " |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        for t in result.timings:
            self.stdout.write(f"| {t.name} | {t.median_ms:.1f} | {t.best_ms:.1f} | {t.queries} |")
        self.stdout.write(
            _("Roll-up ÷ floor (whole municipality): %(ratio).1f") % {"ratio": result.ratio()}
        )

    def _pages(self, municipality, year, repeat):
        timings = page_benchmark(municipality=municipality, year=year, repeat=repeat)
        self.stdout.write(
            _(
                "Database: %(vendor)s. %(units)s units, %(goals)s goals, %(assessments)s goal "
                "assessments. Server time of %(repeat)s requests per page after a warm-up."
            )
            % {
                "vendor": connection.vendor,
                "repeat": repeat,
                **dataset_size(municipality=municipality),
            }
        )
        headers = [_("page"), _("p50 ms"), _("p95 ms"), _("queries"), _("kB")]
        self.stdout.write("| " + " | ".join(headers) + " | |")
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | --- |")
        for t in timings:
            flag = _("over %(limit)s ms") % {"limit": LIMIT_MS} if t.too_slow else ""
            self.stdout.write(
                f"| {t.name} | {t.p50_ms:.1f} | {t.p95_ms:.1f} | {t.queries} | "
                f"{t.kilobytes:.0f} | {flag} |"
            )
        for t in timings:
            self.stdout.write(f"{t.name}: {t.url}")
        slow = [t for t in timings if t.too_slow]
        if slow:
            self.stderr.write(
                _("%(count)s pages over %(limit)s ms at the 95th percentile.")
                % {"count": len(slow), "limit": LIMIT_MS}
            )
