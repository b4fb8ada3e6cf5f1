import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from styr.followup.management.commands._options import municipality_by_code
from styr.kolada.client import KoladaUnavailable
from styr.kolada.models import KoladaSync
from styr.kolada.services import (
    default_years,
    kkik_indicators_create,
    kolada_sync,
    sync_summary,
)
from styr.organisation.models import OrgUnit


def _years(raw: str) -> range:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", raw or "")
    if not match:
        raise CommandError(_("Write the years as 2020-2025 or as one year, e.g. 2024."))
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise CommandError(_("The first year must come before the last."))
    return range(first, last + 1)


class Command(BaseCommand):
    help = _(
        "Kolada: fetch KPI values into Styr (sync), create the KKiK indicators (kkik), or "
        "refresh the KPI catalogue (catalogue)."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        sync = commands.add_parser(
            "sync", help=_("Fetch the values of the municipality's Kolada KPIs.")
        )
        kkik = commands.add_parser(
            "kkik", help=_("Create indicators for KKiK's 40 KPIs, then fetch their values.")
        )
        for sub in (sync, kkik):
            sub.add_argument("--municipality", required=True, metavar="KOD")
            sub.add_argument(
                "--years",
                metavar="ÅR-ÅR",
                help=_("E.g. 2020-2025; the last six years up to the plan year if left out."),
            )
            sub.add_argument(
                "--overwrite",
                action="store_true",
                help=_("Also replace outcomes entered by a person."),
            )
            sub.add_argument(
                "--demo",
                action="store_true",
                help=_("Use example data in Kolada's format instead of Kolada."),
            )
        sync.add_argument(
            "--kpi", nargs="+", default=None, metavar="ID", help=_("Only these KPIs, e.g. N00914.")
        )
        sync.add_argument(
            "--schedule",
            action="store_true",
            help=_("Run in the background now and every night at 03:00."),
        )
        kkik.add_argument("--unit", metavar="KOD", help=_("The unit that owns the indicators."))
        commands.add_parser("catalogue", help=_("Fetch Kolada's list of KPIs."))

    def handle(self, *args, action, **options):
        if action == "catalogue":
            return self._catalogue()
        municipality = municipality_by_code(options["municipality"])
        if action == "kkik":
            self._kkik(municipality, options.get("unit"))
        if options.get("schedule"):
            return self._schedule(municipality, options)
        self._sync(municipality, options)

    def _catalogue(self) -> None:
        from styr.kolada.catalogue import kpi_catalogue_refresh

        try:
            count = kpi_catalogue_refresh()
        except KoladaUnavailable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Kolada's KPI catalogue: %(count)s KPIs.") % {"count": count})

    def _kkik(self, municipality, unit_code: str | None) -> None:
        unit = None
        if unit_code:
            unit = OrgUnit.objects.filter(municipality=municipality, code=unit_code).first()
            if unit is None:
                raise CommandError(
                    _("%(municipality)s has no unit with the code %(code)s.")
                    % {"municipality": municipality.name, "code": unit_code}
                )
        created = kkik_indicators_create(municipality=municipality, unit=unit)
        self.stdout.write(
            _("KKiK: %(count)s new indicators for %(municipality)s.")
            % {"count": len(created), "municipality": municipality.name}
        )

    def _schedule(self, municipality, options) -> None:
        from styr.kolada.tasks import kolada_sync_task

        kolada_sync_task.enqueue(
            municipality.pk, kpis=options.get("kpi"), overwrite=options["overwrite"], schedule=True
        )
        self.stdout.write(
            _(
                "Kolada is fetched for %(municipality)s in the background now and every night at "
                "03:00 (run `styr db_worker`)."
            )
            % {"municipality": municipality.name}
        )

    def _sync(self, municipality, options) -> None:
        years = _years(options["years"]) if options.get("years") else default_years(municipality)
        client, source = None, None
        if options.get("demo"):
            from styr.kolada.demo import DEMO_SOURCE, demo_client

            client, source = demo_client(), DEMO_SOURCE

        def progress(done: int, total: int, text: str) -> None:
            self.stdout.write(f"[{done}/{total}] {text}")

        sync = kolada_sync(
            municipality=municipality,
            kpis=options.get("kpi"),
            years=years,
            client=client,
            overwrite=options["overwrite"],
            progress=progress,
            source=source,
        )
        if sync.state == KoladaSync.State.FAILED:
            raise CommandError(sync.error)
        self.stdout.write(sync_summary(sync))
        if sync.outcomes:
            self.stdout.write(
                _("Outcomes in the final follow-up: %(count)s new or changed.")
                % {"count": sync.outcomes}
            )
        for problem in sync.problems:
            self.stderr.write(problem)
