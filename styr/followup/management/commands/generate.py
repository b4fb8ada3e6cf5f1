import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.generate import SCALES, municipality_generate
from styr.organisation.models import Municipality


class Command(BaseCommand):
    help = _(
        "Generate a municipality of a given size with a year of follow-up, for benchmarks and "
        "load tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="stockholm")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--code", default="9180", metavar="KOD", help=_("the generated municipality's code")
        )
        parser.add_argument("--year", type=int, default=2026, metavar="ÅR")

    def handle(self, *args, scale, seed, code, year, **options):
        if Municipality.objects.filter(code=code).exists():
            raise CommandError(
                _("A municipality with the code %(code)s already exists; choose another --code.")
                % {"code": code}
            )
        started = time.perf_counter()
        made = municipality_generate(scale=scale, seed=seed, code=code, year=year)
        self.stdout.write(
            _(
                "%(name)s (%(code)s) generated in %(seconds).0f s: %(units)s units, %(goals)s "
                "goals, %(indicators)s indicators, %(activities)s activities, %(measurements)s "
                "outcomes, %(forecasts)s forecasts, %(assessments)s goal assessments."
            )
            % {
                "name": made.municipality.name,
                "code": code,
                "seconds": time.perf_counter() - started,
                "units": made.units,
                "goals": made.goals,
                "indicators": made.indicators,
                "activities": made.activities,
                "measurements": made.measurements,
                "forecasts": made.forecasts,
                "assessments": made.assessments,
            }
        )
