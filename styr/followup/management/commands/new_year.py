from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.followup.services import year_prepare

from ._options import add_municipality_and_year, municipality_by_code


class Command(BaseCommand):
    help = _(
        "Prepare a year's plan: its periods, last year's yearly goals copied as drafts and "
        "unfinished activities carried over. Running it twice creates nothing twice."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)

    def handle(self, *args, municipality, year, **options):
        summary = year_prepare(municipality=municipality_by_code(municipality), year=year)
        self.stdout.write(
            _(
                "%(year)s: %(periods)s new periods, %(goals)s goals copied as drafts, "
                "%(activities)s activities carried over."
            )
            % {
                "year": year,
                "periods": summary.periods,
                "goals": summary.goals,
                "activities": summary.activities,
            }
        )
