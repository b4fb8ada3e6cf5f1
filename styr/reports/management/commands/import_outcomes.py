from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import (
    add_municipality_and_year,
    municipality_by_code,
)
from styr.reports.imports import ImportRejected, outcomes_import

from ._period import add_period, period_by_key


class Command(BaseCommand):
    help = _(
        "Read outcomes, forecasts and comments for a period from an Excel or CSV file. Every row "
        "is checked first; one problem and nothing is saved. Reading the same file twice changes "
        "nothing."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)
        add_period(parser)
        parser.add_argument("file", metavar="FIL")

    def handle(self, *args, municipality, year, period, month, file, **options):
        municipality = municipality_by_code(municipality)
        chosen = period_by_key(municipality, year, period, month)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        try:
            summary = outcomes_import(
                municipality=municipality, period=chosen, file_name=path.name, data=data
            )
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)s problems: the file was not read in, nothing was changed.")
                % {"count": len(rejected.problems)}
            ) from None
        self.stdout.write(f"{chosen.name}: {summary}")
