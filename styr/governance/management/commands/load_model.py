from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.governance.services import ModelFileError, governance_model_load_file

from ._report import summary_lines


class Command(BaseCommand):
    help = _(
        "Load a styrmodell file, or a preset by name (stockholm, huddinge, svenljunga, lomma)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="NAMN|FIL")

    def handle(self, *args, files, **options):
        for name in files:
            try:
                summary = governance_model_load_file(name_or_path=name)
            except ModelFileError as error:
                for problem in error.problems:
                    self.stderr.write(str(problem))
                raise CommandError(
                    _("%(file)s was not loaded; nothing was changed.") % {"file": name},
                    returncode=1,
                ) from error
            municipality = summary.municipality
            if summary.changed:
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Loaded %(name)s for %(municipality)s:")
                        % {"name": name, "municipality": municipality}
                    )
                )
            else:
                self.stdout.write(
                    _("%(name)s for %(municipality)s is already loaded; nothing changed.")
                    % {"name": name, "municipality": municipality}
                )
            for line in summary_lines(summary) if summary.changed else []:
                self.stdout.write(line)
            for line in summary.kept:
                self.stdout.write("  " + line)
