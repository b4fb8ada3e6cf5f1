from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.governance.services import resolve_model_file
from styr.governance.styrmodell.checker import check_text


class Command(BaseCommand):
    help = _("Check a styrmodell file and list every problem with file, line and field.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FIL", help=_("a file or a preset's name"))

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            path = resolve_model_file(name)
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(
                    _("%(file)s: cannot be read (%(error)s).") % {"file": path, "error": error}
                )
                failed += 1
                continue
            result = check_text(str(path), text)
            if result.ok:
                self.stdout.write(
                    self.style.SUCCESS(_("%(file)s: no problems found.") % {"file": path})
                )
                continue
            failed += 1
            for problem in result.problems:
                self.stderr.write(str(problem))
            self.stderr.write(
                _("%(file)s: %(count)s problem(s).") % {"file": path, "count": len(result.problems)}
            )
        if failed:
            raise CommandError(
                _("%(count)s file(s) have problems.") % {"count": failed}, returncode=1
            )
