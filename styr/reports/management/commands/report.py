from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import municipality_by_code
from styr.organisation.models import OrgUnit

from ...documents import FORMATS, report_document
from ._period import period_by_key


class Command(BaseCommand):
    help = _(
        "Write a unit's plan (without --period) or a period's report as a document: Word, PDF, "
        "web page or Excel."
    )

    def add_arguments(self, parser):
        # Checked in handle() rather than by argparse, so that a mistake gets a Swedish message.
        parser.add_argument("--municipality", metavar="KOD")
        parser.add_argument("--unit", metavar="ENHETSKOD")
        parser.add_argument("--year", metavar="ÅR")
        parser.add_argument("--period", metavar="PERIOD", help=_("The period's key."))
        parser.add_argument(
            "--month", metavar="MÅNAD", help=_("For a period that recurs, its last month.")
        )
        parser.add_argument("--format", metavar="|".join(FORMATS))
        parser.add_argument(
            "--consolidated",
            action="store_true",
            help=_("The unit and every unit below it."),
        )
        parser.add_argument("--output", metavar="FIL")

    def handle(self, *args, **options):
        missing = [
            f"--{name}"
            for name in ("municipality", "unit", "year", "format", "output")
            if not options[name]
        ]
        if missing:
            raise CommandError(_("Give %(options)s.") % {"options": ", ".join(missing)})
        year = _whole_number(options["year"], "--year")
        month = _whole_number(options["month"], "--month") if options["month"] else None
        document_format = options["format"].lower()
        if document_format not in FORMATS:
            raise CommandError(
                _("Unknown format %(format)s. Choose one of %(formats)s.")
                % {"format": options["format"], "formats": ", ".join(FORMATS)}
            )
        municipality = municipality_by_code(options["municipality"])
        unit = (
            OrgUnit.objects.filter(municipality=municipality, code=options["unit"])
            .select_related("municipality")
            .first()
        )
        if unit is None:
            raise CommandError(
                _("%(municipality)s has no unit with the code %(code)s.")
                % {"municipality": municipality.name, "code": options["unit"]}
            )
        period = (
            period_by_key(municipality, year, options["period"], month)
            if options["period"]
            else None
        )
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(
                _("The folder %(folder)s does not exist.") % {"folder": output.parent}
            )
        document = report_document(
            unit=unit,
            year=year,
            period=period,
            consolidated=options["consolidated"],
            document_format=document_format,
        )
        try:
            output.write_bytes(document.content)
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from None
        self.stdout.write(
            _("Wrote %(path)s (%(size)s kB).")
            % {"path": output, "size": max(1, len(document.content) // 1024)}
        )


def _whole_number(raw: str, option: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a whole number, not %(value)s.")
            % {"option": option, "value": raw}
        ) from None
