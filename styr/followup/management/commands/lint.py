from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.lint import ERROR, plan_lint

from ._options import add_municipality_and_year, municipality_by_code


class Command(BaseCommand):
    help = _(
        "Check the röda tråd of a year's plan and follow-up; exits with an error code when an "
        "error-level finding is found."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)

    def handle(self, *args, municipality, year, **options):
        found = plan_lint(municipality=municipality_by_code(municipality), year=year)
        for unit, findings in groupby(found, key=lambda f: f.unit):
            self.stdout.write(self.style.MIGRATE_HEADING(f"{unit.name} ({unit.code})"))
            for finding in findings:
                style = self.style.ERROR if finding.severity == ERROR else self.style.WARNING
                self.stdout.write(
                    f"  {style(finding.severity_label.upper())} {finding.subject}: "
                    f"{finding.message}"
                )
        errors = sum(1 for f in found if f.severity == ERROR)
        summary = _("%(errors)s error(s), %(warnings)s warning(s).") % {
            "errors": errors,
            "warnings": len(found) - errors,
        }
        if errors:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)
