import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.economy.imports import accounting_import
from styr.followup.management.commands._options import municipality_by_code
from styr.reports.imports import ImportRejected


class Command(BaseCommand):
    help = _(
        "Read budget and outcome per unit, account group and month from the accounting system's "
        "Excel or CSV file. Every row is checked first; one problem and nothing is saved. Reading "
        "the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, metavar="KOD")
        parser.add_argument("--file", required=True, metavar="FIL")
        parser.add_argument(
            "--year",
            type=int,
            default=datetime.date.today().year,
            help=_("The year of months written 1–12 (default: this year)."),
        )

    def handle(self, *args, municipality, file, year, **options):
        municipality = municipality_by_code(municipality)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        try:
            summary = accounting_import(
                municipality=municipality, year=year, file_name=path.name, data=data
            )
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)s problems: the file was not read in, nothing was changed.")
                % {"count": len(rejected.problems)}
            ) from None
        self.stdout.write(f"{municipality.name}: {summary}")
