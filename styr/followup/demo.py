"""Demo follow-up for a preset's municipality: last year in full and this year up to its latest
period, through the same services a unit uses, so the story holds together: outcomes that reach,
approach or miss their targets, activity statuses, and assessments with analyses and åtgärder.

Everything is drawn from a random generator seeded by the municipality's code: the same demo every
time. The texts are demo content in Swedish, like the presets' goals.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from styr.governance.models import ActivityStatus, AssessmentValue
from styr.organisation.models import Municipality
from styr.planning.models import Activity, Assignment, Goal, Indicator, Target

from .models import Assessment, ReportingPeriod
from .rule import assessment_suggest
from .services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    assignment_report,
    goals_copy_to_year,
    measurement_report,
    period_decide,
    periods_generate,
)

GOOD, PARTLY, POOR = "good", "partly", "poor"

CAUSES = [
    "personalomsättningen under våren",
    "vakanser i chefsledet",
    "ett ökat antal ärenden",
    "en lägre svarsfrekvens i enkäten än väntat",
    "förseningar i upphandlingen",
    "att arbetssättet infördes senare än planerat",
]
ACTIONS = [
    ("Gör en fördjupad analys tillsammans med verksamheten", "Avdelningschef"),
    ("Följ upp resultatet månadsvis på arbetsplatsträffar", "Enhetschef"),
    ("Ta fram en handlingsplan med tydliga delmål", "Verksamhetsutvecklare"),
    ("Samordna insatserna med berörda förvaltningar", "Förvaltningschef"),
]


@dataclass
class DemoSummary:
    periods: int = 0
    outcomes: int = 0
    statuses: int = 0
    assessments: int = 0


def demo_followup(
    *, municipality: Municipality, year: int, today: datetime.date | None = None
) -> DemoSummary:
    """Follow up `year - 1` in full and `year` up to its latest period that has ended by `today`."""
    today = today or datetime.date.today()
    if Assessment.objects.filter(municipality=municipality).exists():
        return DemoSummary()  # told already; a second `styr demo` leaves it as it is
    with transaction.atomic():
        _previous_year_goals(municipality, year)
        story = _Story(municipality, year, today)
        story.tell()
    return story.summary


def _previous_year_goals(municipality: Municipality, year: int) -> None:
    """The presets describe `year`; give last year its own goals to follow up, as predecessors."""
    later = Goal.objects.filter(
        municipality=municipality,
        valid_from__gt=datetime.date(year - 1, 12, 31),
        predecessor=None,
    ).exclude(status=Goal.Status.DRAFT)
    copies = goals_copy_to_year(
        goals=later,
        year=year - 1,
        status=Goal.Status.CLOSED,
        code_for=lambda goal: f"{goal.code[:34]}-{year - 1}",
    )
    for goal in later:
        goal.predecessor = copies[goal.pk]
        goal.save(update_fields=["predecessor", "updated_at"])


class _Story:
    def __init__(self, municipality: Municipality, year: int, today: datetime.date):
        self.municipality = municipality
        self.year = year
        self.today = today
        self.random = random.Random(int(municipality.code))
        self.summary = DemoSummary()
        self.statuses = {s.key: s for s in ActivityStatus.objects.filter(municipality=municipality)}
        self.scale = list(
            AssessmentValue.objects.filter(municipality=municipality).order_by("order")
        )
        self.indicators = list(Indicator.objects.filter(municipality=municipality).order_by("code"))
        fates = [GOOD, GOOD, GOOD, PARTLY, PARTLY, POOR, POOR]
        self.fate = {
            (i.pk, y): self.random.choice(fates) for i in self.indicators for y in (year - 1, year)
        }
        self._load_targets()
        self._previous_year_targets()

    def _load_targets(self) -> None:
        targets = Target.objects.filter(municipality=self.municipality)
        self.targets = {(t.indicator_id, t.kind, t.year): t for t in targets}

    def _previous_year_targets(self) -> None:
        """Last year's årsmål where the preset gives none: the level it started this year from."""
        for indicator in self.indicators:
            key = (indicator.pk, Target.Kind.ANNUAL, self.year - 1)
            if indicator.kind != Indicator.Kind.INDICATOR or key in self.targets:
                continue
            start, _target = self._levels(indicator)
            Target.objects.create(
                municipality=self.municipality,
                indicator=indicator,
                kind=Target.Kind.ANNUAL,
                year=self.year - 1,
                value=start,
            )
        self._load_targets()

    def tell(self) -> None:
        periods = periods_generate(
            municipality=self.municipality, year=self.year - 1
        ) + periods_generate(municipality=self.municipality, year=self.year)
        ended = [p for p in periods if p.ends_on < self.today]
        latest = ended[-1] if ended else None
        for period in ended:
            if period.state != ReportingPeriod.State.OPEN:
                continue
            self.summary.periods += 1
            follows = period.definition.follows_up
            # Ordinary indicators where indicators are followed up, personnel key figures
            # (sjukfrånvaro …) in every period that follows up personnel, e.g. each month.
            subjects = [s for s in Indicator.Subject.values if s in follows]
            if subjects:
                self._outcomes(period, subjects)
            if "activities" in follows:
                self._activities(period)
            if "assignments" in follows:
                self._assignments(period)
            if "goals" in follows:
                self._assessments(period)
            if period is not latest:
                decided_on = period.ends_on + datetime.timedelta(days=50)
                body = period.definition.decided_by.name if period.definition.decided_by else ""
                period_decide(
                    period=period,
                    decided_on=decided_on,
                    reference=f"{body} {decided_on:%Y-%m-%d} § {self.random.randint(20, 180)}",
                )

    # -- outcomes ---------------------------------------------------------------------------------

    def _levels(self, indicator: Indicator) -> tuple[Decimal, Decimal]:
        """(start, target) for the indicator: the baseline and this year's target value."""
        baseline = next(
            (
                self.targets[(indicator.pk, Target.Kind.BASELINE, y)].value
                for y in range(self.year, self.year - 5, -1)
                if (indicator.pk, Target.Kind.BASELINE, y) in self.targets
            ),
            None,
        )
        annual = self.targets.get((indicator.pk, Target.Kind.ANNUAL, self.year))
        target = annual.value if annual and annual.value is not None else None
        sign = Decimal(-1) if indicator.direction == Indicator.Direction.DECREASE else Decimal(1)
        if baseline is None and target is None:
            baseline = Decimal(self.random.randint(40, 90))
        if baseline is None:
            baseline = target - sign * abs(target) * Decimal("0.05")
        if target is None:
            target = baseline + sign * max(abs(baseline) * Decimal("0.04"), Decimal(1))
        return baseline, target

    def _value_for(self, indicator: Indicator, period: ReportingPeriod) -> Decimal:
        start, target = self._levels(indicator)
        if period.year < self.year:
            # Last year's årsmål was the level this year starts from; its outcome came near it.
            sign = (
                Decimal(-1) if indicator.direction == Indicator.Direction.DECREASE else Decimal(1)
            )
            target, start = start, start - sign * abs(start) * Decimal("0.04")
        gap = target - start
        value = {
            GOOD: target + gap * Decimal("0.1"),
            PARTLY: start + gap * Decimal("0.5"),
            POOR: start - gap * Decimal("0.4"),
        }[self.fate[(indicator.pk, period.year)]]
        noise = Decimal(self.random.uniform(-1.0, 1.0)) * abs(value) * Decimal("0.01")
        return _within_measure(indicator, (value + noise).quantize(Decimal("0.1")))

    def _outcomes(self, period: ReportingPeriod, subjects: list[str]) -> None:
        for indicator in self.indicators:
            if indicator.subject not in subjects:
                continue
            personnel = indicator.subject == Indicator.Subject.PERSONNEL
            year_value = self._value_for(indicator, period)
            # A count adds up over the year; a personnel figure (årsarbetare) is a level.
            cumulative = indicator.additive and not personnel
            share = Decimal(period.month) / 12 if cumulative else Decimal(1)
            outcome = (year_value * share).quantize(Decimal("0.1"))
            values = {"T": outcome}
            if indicator.gender_split:
                spread = (abs(outcome) * Decimal(self.random.uniform(0.01, 0.06))).quantize(
                    Decimal("0.1")
                )
                if indicator.additive:
                    # Most of a municipality's employees are women.
                    women_share = Decimal("0.78") if personnel else Decimal("0.55")
                    women = (outcome * women_share).quantize(Decimal("0.1"))
                    values = {"K": women, "M": outcome - women}
                elif personnel:
                    # Sjukfrånvaro and the like: women's well above men's, as in most kommuner.
                    values = {
                        "T": outcome,
                        "K": _within_measure(
                            indicator, (outcome * Decimal("1.08")).quantize(Decimal("0.1"))
                        ),
                        "M": _within_measure(
                            indicator, (outcome * Decimal("0.72")).quantize(Decimal("0.1"))
                        ),
                    }
                else:
                    values = {
                        "T": outcome,
                        "K": _within_measure(indicator, outcome + spread),
                        "M": _within_measure(indicator, outcome - spread),
                    }
            forecast = None if period.is_final else year_value
            measurement_report(
                indicator=indicator,
                period=period,
                values=values,
                forecast=forecast,
                comment=self._outcome_comment(indicator, period),
            )
            self.summary.outcomes += len(values) + (forecast is not None)

    def _outcome_comment(self, indicator: Indicator, period: ReportingPeriod) -> str:
        if self.fate[(indicator.pk, period.year)] == GOOD:
            return ""
        return f"Utvecklingen påverkas av {self.random.choice(CAUSES)}."

    # -- activities and assignments ---------------------------------------------------------------

    def _status_for(self, start: datetime.date, end: datetime.date | None, period) -> tuple:
        if start > period.ends_on:
            return self.statuses.get("ej_paborjad"), ""
        if end is not None and end <= period.ends_on:
            if self.random.random() < 0.75:
                return self._done_status(), ""
            late = self._late_status()
            return late, f"Försenad på grund av {self.random.choice(CAUSES)}."
        return self.statuses.get("pagar") or self._first_status(), ""

    def _done_status(self) -> ActivityStatus:
        return next(s for s in self.statuses.values() if s.is_done)

    def _late_status(self) -> ActivityStatus:
        return self.statuses.get("senarelagd") or next(
            s for s in self.statuses.values() if s.is_deviation
        )

    def _first_status(self) -> ActivityStatus:
        return next(iter(self.statuses.values()))

    def _activities(self, period: ReportingPeriod) -> None:
        activities = Activity.objects.filter(
            municipality=self.municipality,
            start__lte=period.ends_on,
            end__gte=datetime.date(period.year, 1, 1),
        ).order_by("code")
        for activity in activities:
            status, comment = self._status_for(activity.start, activity.end, period)
            activity_report(activity=activity, period=period, status=status, comment=comment)
            self.summary.statuses += 1

    def _assignments(self, period: ReportingPeriod) -> None:
        assignments = Assignment.objects.filter(municipality=self.municipality).order_by("code")
        for assignment in assignments:
            start = assignment.decided_on or datetime.date(period.year, 1, 1)
            if start > period.ends_on or (assignment.due and assignment.due.year < period.year):
                continue
            status, comment = self._status_for(start, assignment.due, period)
            assignment_report(assignment=assignment, period=period, status=status, comment=comment)
            self.summary.statuses += 1

    # -- assessments ------------------------------------------------------------------------------

    def _assessments(self, period: ReportingPeriod) -> None:
        # Bottom-up, so that each goal's suggestion can lean on its children's assessments.
        goals = (
            Goal.objects.filter(municipality=self.municipality)
            .in_force(period.year)
            .select_related("level")
            .order_by("-level__order", "code")
        )
        for goal in goals:
            suggestion = assessment_suggest(goal=goal, period=period)
            value = suggestion.value or self.scale[self.random.choice([0, 0, 1])]
            not_met = not value.is_met
            due = period.ends_on + datetime.timedelta(days=90)
            actions = []
            if not_met:
                what, who = self.random.choice(ACTIONS)
                actions = [CorrectiveActionInput(what, who, due)]
            assessment_submit(
                goal=goal,
                period=period,
                value=value,
                analysis=self._analysis(value, suggestion),
                motivation="" if suggestion.value else "Bedömt utifrån verksamhetens uppföljning.",
                next_year=(
                    "Målet behålls och arbetet fortsätter med de åtgärder som beslutats."
                    if not_met and period.is_final
                    else ""
                ),
                corrective_actions=actions,
            )
            self.summary.assessments += 1

    def _analysis(self, value: AssessmentValue, suggestion) -> str:
        basis = " ".join(suggestion.reasons[:2]) if suggestion.value else ""
        if value.is_met:
            text = "Målet nås. Arbetssätten fungerar och resultaten för kvinnor och män är jämna."
        elif value == self.scale[-1]:
            text = (
                "Målet nås inte. Den viktigaste orsaken är "
                f"{self.random.choice(CAUSES)}; jämfört med förra året har resultatet försämrats."
            )
        else:
            text = (
                "Målet nås delvis. Utvecklingen går åt rätt håll men påverkas av "
                f"{self.random.choice(CAUSES)}."
            )
        return f"{text} {basis}".strip()


def _within_measure(indicator: Indicator, value: Decimal) -> Decimal:
    """A share in per cent stays between 0 and 100, however well the demo's story goes."""
    if indicator.measure.strip() == "%":
        return min(max(value, Decimal(0)), Decimal(100))
    return value
