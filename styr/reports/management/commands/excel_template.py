from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import (
    add_municipality_and_year,
    municipality_by_code,
)
from styr.organisation.models import OrgUnit
from styr.reports.excel import import_template_xlsx

from ._period import add_period, period_by_key


class Command(BaseCommand):
    help = _(
        "Write the Excel template for importing a unit's outcomes in a period, filled with what "
        "is reported now."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)
        add_period(parser)
        parser.add_argument("--unit", required=True, metavar="ENHET")
        parser.add_argument("--output", required=True, metavar="FIL")
        parser.add_argument(
            "--consolidated", action="store_true", help=_("The unit and every unit below it.")
        )

    def handle(self, *args, municipality, year, period, month, unit, output, **options):
        municipality = municipality_by_code(municipality)
        chosen = period_by_key(municipality, year, period, month)
        found = OrgUnit.objects.filter(municipality=municipality, code=unit).first()
        if found is None:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": unit})
        data = import_template_xlsx(unit=found, period=chosen, consolidated=options["consolidated"])
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from None
        self.stdout.write(
            _("The template for %(unit)s, %(period)s is in %(path)s.")
            % {"unit": found.name, "period": chosen.name, "path": output}
        )
