import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.transfer.services import TransferError, municipality_import


class Command(BaseCommand):
    help = _(
        "Import a municipality from a file that `styr export` wrote, into a database that does "
        "not have it yet: all of it or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", required=True, help=_("the exported file; - reads from stdin")
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            if options["file"] == "-":
                data = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as source:
                    data = json.load(source)
        except OSError as error:
            raise CommandError(
                _("The file could not be read: %(error)s") % {"error": error.strerror or error}
            ) from error
        except json.JSONDecodeError as error:
            raise CommandError(
                _(
                    "The file is not valid JSON (line %(line)s, column %(column)s); nothing was "
                    "imported."
                )
                % {"line": error.lineno, "column": error.colno}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("The file is not UTF-8 text; nothing was imported.")) from error
        try:
            summary = municipality_import(data=data)
        except TransferError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Imported %(name)s (%(code)s): %(rows)s rows, %(new)s new users and "
                "%(existing)s who were here already, in %(seconds).1f s."
            )
            % {
                "name": summary.municipality.name,
                "code": summary.municipality.code,
                "rows": summary.rows,
                "new": summary.new_users,
                "existing": summary.existing_users,
                "seconds": time.perf_counter() - started,
            }
        )
