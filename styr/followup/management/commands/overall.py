from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.followup.models import ReportingPeriod
from styr.followup.selectors import overall_judgements
from styr.reports.management.commands._period import period_by_key

from ._options import add_municipality_and_year, municipality_by_code


class Command(BaseCommand):
    help = _(
        "Print the model's overall judgements (e.g. god ekonomisk hushållning) for a year's "
        "periods: the verdict, the rule and the goals it rests on."
    )

    def add_arguments(self, parser):
        add_municipality_and_year(parser)
        parser.add_argument(
            "--period",
            metavar="PERIOD",
            help=_("The period's key; without it, every period of the year that follows up goals."),
        )
        parser.add_argument(
            "--month",
            type=int,
            metavar="MÅNAD",
            help=_("For a period that recurs, its last month."),
        )

    def handle(self, *args, municipality, year, period=None, month=None, **options):
        found = municipality_by_code(municipality)
        if period:
            periods = [period_by_key(found, year, period, month)]
        else:
            periods = [
                p
                for p in ReportingPeriod.objects.filter(municipality=found, year=year)
                .select_related("definition")
                .order_by("month", "definition__order")
                if "goals" in p.definition.follows_up
            ]
            if not periods:
                self.stdout.write(
                    _("%(municipality)s has no periods that follow up goals in %(year)s.")
                    % {"municipality": found.name, "year": year}
                )
                return
        for shown in periods:
            self._period(shown)

    def _period(self, period: ReportingPeriod) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(period.name))
        judgements = overall_judgements(period=period, with_goals=True)
        if not judgements:
            self.stdout.write("  " + _("The styrmodell has no overall judgements."))
            return
        for judgement in judgements:
            style = {
                "reached": self.style.SUCCESS,
                "not_reached": self.style.ERROR,
                "incomplete": self.style.WARNING,
            }[judgement.state]
            self.stdout.write("  " + style(judgement.verdict))
            self.stdout.write("  " + judgement.rule)
            for part in judgement.parts:
                line = (
                    _(
                        "%(levels)s: %(met)s of %(goals)s expected to be met (%(share)s %%), "
                        "at least %(min)s %% required – %(result)s"
                    )
                    if judgement.prognosis
                    else _(
                        "%(levels)s: %(met)s of %(goals)s met (%(share)s %%), "
                        "at least %(min)s %% required – %(result)s"
                    )
                )
                self.stdout.write(
                    "  "
                    + line
                    % {
                        "levels": ", ".join(part.levels),
                        "met": part.met,
                        "goals": part.goals,
                        "share": part.percent,
                        "min": part.min_percent,
                        "result": _("fulfilled") if part.reached else _("not fulfilled"),
                    }
                )
                for item in part.items:
                    self.stdout.write(
                        f"    {item.goal.code} {item.goal.title}: {item.assessment_label}"
                    )
                    for figure in item.key_figures:
                        values = [_("outcome %(value)s") % {"value": figure.outcome_text}]
                        if not period.is_final:
                            values.append(_("forecast %(value)s") % {"value": figure.forecast_text})
                        values.append(_("target %(value)s") % {"value": figure.target_text})
                        self.stdout.write(f"      {figure.indicator.name}: {', '.join(values)}")
