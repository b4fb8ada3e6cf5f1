import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.transfer.services import TransferError, export_write, municipality_export


class Command(BaseCommand):
    help = _(
        "Export a whole municipality, with its history, as one JSON file that `styr import` reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help=_("municipality code"))
        parser.add_argument(
            "--output", default="-", help=_("file to write; - (the default) writes to stdout")
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            data = municipality_export(code=options["municipality"])
        except TransferError as error:
            raise CommandError(str(error)) from error
        if options["output"] == "-":
            self.stdout.ending = ""  # the writer puts its own line ends
            export_write(data, self.stdout)
            report = sys.stderr
        else:
            with open(options["output"], "w", encoding="utf-8") as out:
                export_write(data, out)
            report = self.stdout
        rows = sum(len(t["rows"]) for t in data["tables"])
        report.write(
            _(
                "Exported %(code)s: %(rows)s rows in %(tables)s tables and %(users)s users in "
                "%(seconds).1f s."
            )
            % {
                "code": data["municipality"],
                "rows": rows,
                "tables": len(data["tables"]),
                "users": len(data["users"]),
                "seconds": time.perf_counter() - started,
            }
            + "\n"
        )
