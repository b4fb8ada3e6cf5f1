"""Reads for follow-up: the roll-up of assessments through the röda tråd, trends and comparisons.

The roll-up counts the latest assessments of the goals in scope — a unit's subtree, a focus area, a
goal and everything below it, or the whole municipality — per value on the model's scale. It runs
as a fixed handful of queries whatever the size of the scope.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from styr.governance.models import AssessmentValue, FocusArea, GoalLevel, GovernanceModel
from styr.organisation.models import PATH_SEPARATOR, Municipality, OrgUnit
from styr.planning.models import Goal, GoalLink, Indicator, IndicatorGoal, Target

from .models import Assessment, Forecast, Gender, Measurement, ReportingPeriod


@dataclass
class ValueCount:
    value: AssessmentValue
    count: int
    share: Decimal


@dataclass
class Fulfilment:
    period: ReportingPeriod
    goals: int
    assessed: int
    counts: list[ValueCount]
    pulling_down: list[Assessment] = field(default_factory=list)

    @property
    def unassessed(self) -> int:
        return self.goals - self.assessed

    @property
    def met_share(self) -> Decimal:
        met = sum(c.count for c in self.counts if c.value.is_met)
        return Decimal(met) / self.assessed if self.assessed else Decimal(0)


def goal_descendant_ids(*, goal: Goal) -> set[int]:
    """The goal and every goal below it in the röda tråd; one query per level of the chain."""
    found = {goal.pk}
    frontier = {goal.pk}
    while frontier:
        children = set(
            GoalLink.objects.filter(parent_id__in=frontier).values_list("goal_id", flat=True)
        )
        frontier = children - found
        found |= frontier
    return found


def goals_in_scope(
    *,
    municipality: Municipality,
    year: int | None,
    unit: OrgUnit | None = None,
    focus_area: FocusArea | None = None,
    goal: Goal | None = None,
) -> QuerySet[Goal]:
    """The goals of a roll-up: in force during `year` (any year when None), within the scope."""
    goals = Goal.objects.filter(municipality=municipality)
    if year is not None:
        goals = goals.in_force(year)
    if unit is not None:
        goals = goals.in_subtree(unit)
    if focus_area is not None:
        goals = goals.filter(focus_areas=focus_area)
    if goal is not None:
        goals = goals.filter(pk__in=goal_descendant_ids(goal=goal))
    return goals


def assessments_in_scope(
    *,
    municipality_id: int,
    year: int,
    unit: OrgUnit | None = None,
    focus_area: FocusArea | None = None,
    goal: Goal | None = None,
) -> QuerySet[Assessment]:
    """The assessments of the goals `goals_in_scope` gives, by a join on the goal rather than
    `goal__in=<subquery>`: SQLite builds the subquery's whole set of goals again for every query,
    which costs more than the count itself in a large municipality."""
    condition = (
        (Q(goal__valid_to__isnull=True) | Q(goal__valid_to__gte=datetime.date(year, 1, 1)))
        & Q(goal__valid_from__lte=datetime.date(year, 12, 31))
        & ~Q(goal__status=Goal.Status.DRAFT)
    )
    if unit is not None:
        condition &= Q(goal__unit__path__startswith=unit.path)
    if focus_area is not None:
        condition &= Q(goal__focus_areas=focus_area)
    if goal is not None:
        condition &= Q(goal_id__in=goal_descendant_ids(goal=goal))
    return Assessment.objects.filter(condition, municipality_id=municipality_id)


def fulfilment(
    *,
    period: ReportingPeriod,
    unit: OrgUnit | None = None,
    focus_area: FocusArea | None = None,
    goal: Goal | None = None,
    pulling_down: int = 10,
    scale: list[AssessmentValue] | None = None,
    counts: list[tuple] | None = None,
) -> Fulfilment:
    """Counts and shares per scale value for the goals in scope, and the goals that pull it down.
    `scale`: the municipality's scale values, and `counts`: `assessment_counts_per_unit` for the
    same scope (not a goal's), when the caller has read them already."""
    goals = goals_in_scope(
        municipality=period.municipality,
        year=period.year,
        unit=unit,
        focus_area=focus_area,
        goal=goal,
    )
    if scale is None:
        scale = list(AssessmentValue.objects.filter(municipality_id=period.municipality_id))
    assessments = assessments_in_scope(
        municipality_id=period.municipality_id,
        year=period.year,
        unit=unit,
        focus_area=focus_area,
        goal=goal,
    ).filter(period=period)
    if counts is not None and goal is None:
        per_value: dict[int, int] = {}
        for _path, value_id, _is_met, n in counts:
            per_value[value_id] = per_value.get(value_id, 0) + n
    else:
        per_value = dict(
            assessments.order_by()
            .values_list("value_id")
            .annotate(n=Count("pk"))
            .values_list("value_id", "n")
        )
    assessed = sum(per_value.values())
    counts = [
        ValueCount(v, per_value.get(v.pk, 0), _share(per_value.get(v.pk, 0), assessed))
        for v in sorted(scale, key=lambda v: v.order)
    ]
    worst_first = []
    if pulling_down:
        # The few worst by a lean query over the keys alone, then those rows in full: sorting
        # whole goal rows of a large municipality costs several times more.
        worst_ids = list(
            assessments.filter(value__is_met=False)
            .order_by("-value__order", "goal__level__order", "goal__code")
            .values_list("pk", flat=True)[:pulling_down]
        )
        # Without the long texts, which a list of goals does not show.
        rows = (
            Assessment.objects.filter(pk__in=worst_ids)
            .select_related("goal__unit", "goal__level", "value")
            .defer(
                "suggestion_reasons",
                "analysis",
                "motivation",
                "next_year",
                "goal__description",
                "goal__texts",
                "goal__level__description",
                "goal__level__text_fields",
            )
        )
        by_pk = {a.pk: a for a in rows}
        worst_first = [by_pk[pk] for pk in worst_ids]
    return Fulfilment(period, goals.count(), assessed, counts, worst_first)


def fulfilment_per_period(
    *, periods: list[ReportingPeriod], unit: OrgUnit | None = None
) -> dict[int, Fulfilment]:
    """The roll-up of several periods of one municipality at once (a unit page's year), without
    the goals that pull it down: three queries a year, however many periods and goals."""
    if not periods:
        return {}
    municipality = periods[0].municipality
    scale = sorted(
        AssessmentValue.objects.filter(municipality_id=municipality.pk), key=lambda v: v.order
    )
    result = {}
    for year in sorted({p.year for p in periods}):
        goals = goals_in_scope(municipality=municipality, year=year, unit=unit)
        in_year = [p for p in periods if p.year == year]
        rows = (
            assessments_in_scope(municipality_id=municipality.pk, year=year, unit=unit)
            .filter(period__in=in_year)
            .order_by()
            .values_list("period_id", "value_id")
            .annotate(n=Count("pk"))
        )
        per_period: dict[int, dict[int, int]] = {}
        for period_id, value_id, n in rows:
            per_period.setdefault(period_id, {})[value_id] = n
        total = goals.count()
        for period in in_year:
            per_value = per_period.get(period.pk, {})
            assessed = sum(per_value.values())
            counts = [
                ValueCount(v, per_value.get(v.pk, 0), _share(per_value.get(v.pk, 0), assessed))
                for v in scale
            ]
            result[period.pk] = Fulfilment(period, total, assessed, counts)
    return result


def _share(count: int, total: int) -> Decimal:
    return (Decimal(count) / total).quantize(Decimal("0.001")) if total else Decimal(0)


@dataclass
class TrendPoint:
    period: ReportingPeriod
    assessed: int
    counts: dict[str, int]


def fulfilment_trend(
    *,
    municipality: Municipality,
    years: list[int],
    unit: OrgUnit | None = None,
    focus_area: FocusArea | None = None,
    goal: Goal | None = None,
    scale: list[AssessmentValue] | None = None,
    periods: list[ReportingPeriod] | None = None,
) -> list[TrendPoint]:
    """Counts per scale value for every period of the given years, oldest first. `scale` and
    `periods` (those of the years, in that order), when the caller has read them already."""
    if periods is None:
        periods = list(
            ReportingPeriod.objects.filter(municipality=municipality, year__in=years)
            .select_related("definition")
            .order_by("year", "month", "definition__order")
        )
    # Any goal in scope: an assessment in a period shows that its goal was in force then.
    goals = goals_in_scope(
        municipality=municipality, year=None, unit=unit, focus_area=focus_area, goal=goal
    )
    rows = Assessment.objects.filter(municipality=municipality, period__in=periods)
    if unit is not None or focus_area is not None or goal is not None:
        # (Without a filter every assessment of the municipality is in scope.)
        rows = rows.filter(goal__in=goals.values("pk"))
    if scale is not None:
        keys = {v.pk: v.key for v in scale}
    else:
        keys = dict(
            AssessmentValue.objects.filter(municipality=municipality).values_list("pk", "key")
        )
    by_period: dict[int, dict[str, int]] = {}
    for period_id, value_id, n in (
        rows.order_by().values_list("period_id", "value_id").annotate(n=Count("pk"))
    ):
        by_period.setdefault(period_id, {})[keys[value_id]] = n
    return [
        TrendPoint(p, sum(by_period.get(p.pk, {}).values()), by_period.get(p.pk, {}))
        for p in periods
    ]


# --- Comparisons --------------------------------------------------------------------------------


@dataclass
class Change:
    absolute: Decimal
    relative: Decimal | None  # percent; None when the earlier value is zero


@dataclass
class IndicatorComparison:
    indicator: Indicator
    period: ReportingPeriod
    values: dict[str, Decimal]
    forecast: Decimal | None
    last_year: dict[str, Decimal]
    change: Change | None
    target: Target | None
    baseline: Target | None
    against_target: Decimal | None
    against_baseline: Decimal | None
    gender_gap: Decimal | None  # women minus men


def _change(now: Decimal | None, before: Decimal | None) -> Change | None:
    if now is None or before is None:
        return None
    relative = ((now - before) / abs(before) * 100).quantize(Decimal("0.1")) if before else None
    return Change(now - before, relative)


def indicator_comparison(*, indicator: Indicator, period: ReportingPeriod) -> IndicatorComparison:
    """The period's outcome against the same period last year, the årsmål, the nollbasvärde and
    between women and men."""
    return indicator_comparisons(indicators=[indicator], period=period)[indicator.pk]


def indicator_comparisons(
    *, indicators: list[Indicator], period: ReportingPeriod
) -> dict[int, IndicatorComparison]:
    """`indicator_comparison` for several indicators at once, in four queries however many."""
    last_year_period = ReportingPeriod.objects.filter(
        municipality_id=period.municipality_id,
        definition_id=period.definition_id,
        month=period.month,
        year=period.year - 1,
    ).first()
    values: dict[int, dict[str, Decimal]] = {i.pk: {} for i in indicators}
    last_year: dict[int, dict[str, Decimal]] = {i.pk: {} for i in indicators}
    # Each read names the municipality, so it uses the (municipality, period, indicator) index.
    for indicator_id, period_id, gender, value in Measurement.objects.filter(
        municipality_id=period.municipality_id,
        period__in=[p for p in (period, last_year_period) if p],
        indicator__in=indicators,
    ).values_list("indicator_id", "period_id", "gender", "value"):
        (values if period_id == period.pk else last_year)[indicator_id][gender] = value
    forecasts = dict(
        Forecast.objects.filter(
            municipality_id=period.municipality_id, period=period, indicator__in=indicators
        ).values_list("indicator_id", "value")
    )
    targets: dict[int, list[Target]] = {i.pk: [] for i in indicators}
    for t in Target.objects.filter(
        municipality_id=period.municipality_id, indicator__in=indicators, year__lte=period.year
    ):
        targets[t.indicator_id].append(t)
    return {
        i.pk: _comparison(
            i, period, values[i.pk], forecasts.get(i.pk), last_year[i.pk], targets[i.pk]
        )
        for i in indicators
    }


def _comparison(indicator, period, values, forecast, last_year, targets) -> IndicatorComparison:
    target = next(
        (t for t in targets if t.kind == Target.Kind.ANNUAL and t.year == period.year), None
    )
    baselines = sorted((t for t in targets if t.kind == Target.Kind.BASELINE), key=lambda t: t.year)
    baseline = baselines[-1] if baselines else None
    total = values.get(Gender.TOTAL)
    women, men = values.get(Gender.WOMEN), values.get(Gender.MEN)
    return IndicatorComparison(
        indicator=indicator,
        period=period,
        values=values,
        forecast=forecast,
        last_year=last_year,
        change=_change(total, last_year.get(Gender.TOTAL)),
        target=target,
        baseline=baseline,
        against_target=total - target.value
        if total is not None and target and target.value is not None
        else None,
        against_baseline=total - baseline.value
        if total is not None and baseline and baseline.value is not None
        else None,
        gender_gap=women - men if women is not None and men is not None else None,
    )


# --- Overall judgements (e.g. god ekonomisk hushållning) -----------------------------------------


def figure_text(value: Decimal | None, measure: str = "") -> str:
    """A value as a Swedish reader writes it: no trailing zeros, decimal comma, with its unit."""
    if value is None:
        return "–"
    number = number_format(Decimal(format(value.normalize(), "f")))
    return f"{number} {measure}".strip()


@dataclass
class KeyFigure:
    """An indicator of a goal in an overall judgement: the period's outcome (and, in a prognosis,
    the forecast for the year) against the year's target."""

    comparison: IndicatorComparison

    @property
    def indicator(self) -> Indicator:
        return self.comparison.indicator

    @property
    def outcome(self) -> Decimal | None:
        return self.comparison.values.get(Gender.TOTAL)

    @property
    def forecast(self) -> Decimal | None:
        return self.comparison.forecast

    @property
    def outcome_text(self) -> str:
        return figure_text(self.outcome, self.indicator.measure)

    @property
    def forecast_text(self) -> str:
        return figure_text(self.forecast, self.indicator.measure)

    @property
    def target_text(self) -> str:
        target, baseline = self.comparison.target, self.comparison.baseline
        if target is None:
            return "–"
        if target.value is not None:
            return figure_text(target.value, self.indicator.measure)
        change = target.get_change_display()
        if baseline is None:
            return change
        return _("%(change)s from %(value)s (%(year)s)") % {
            "change": change,
            "value": figure_text(baseline.value, self.indicator.measure),
            "year": baseline.year,
        }


@dataclass
class OverallGoal:
    """One goal an overall judgement rests on, with its assessment for the period."""

    goal: Goal
    assessment: Assessment | None
    key_figures: list[KeyFigure]
    prognosis: bool

    @property
    def assessment_label(self) -> str:
        if self.assessment is None:
            return _("Not assessed")
        value = self.assessment.value
        return (value.prognosis_label or value.label) if self.prognosis else value.label


@dataclass
class OverallPart:
    levels: list[str]
    goals: int
    assessed: int
    met: int
    min_share: Decimal
    # Filled by overall_judgements(with_goals=True): the goals themselves, in code order.
    items: list[OverallGoal] = field(default_factory=list)

    def _share_of(self, count: int) -> Decimal:
        return (Decimal(count) / self.goals).quantize(Decimal("0.01")) if self.goals else Decimal(0)

    @property
    def share(self) -> Decimal:
        return self._share_of(self.met)

    @property
    def reached(self) -> bool:
        """Met by the goals met so far; assessments still missing can only add to them."""
        return self.goals > 0 and self.share >= self.min_share

    @property
    def reachable(self) -> bool:
        """Would be met if every goal not yet assessed turned out met."""
        return self.goals > 0 and self._share_of(self.met + self.unassessed) >= self.min_share

    @property
    def unassessed(self) -> int:
        return self.goals - self.assessed

    @property
    def has_key_figures(self) -> bool:
        return any(item.key_figures for item in self.items)

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def min_percent(self) -> int:
        return round(self.min_share * 100)

    @property
    def levels_text(self) -> str:
        """The levels in running text: "finansiella mål", "riktade mål och nämndsmål"."""
        names = [_running(name) for name in self.levels]
        if len(names) < 2:
            return "".join(names)
        return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _running(name: str) -> str:
    """A level's name inside a sentence: lower case unless it is an abbreviation (KF-mål)."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


@dataclass
class OverallJudgement:
    key: str
    name: str
    parts: list[OverallPart]
    prognosis: bool = False  # a delår: the judgement is a forecast of the year's

    @property
    def complete(self) -> bool:
        """Every goal it rests on has been assessed for the period."""
        return all(p.assessed == p.goals for p in self.parts)

    @property
    def decided(self) -> bool:
        """The missing assessments, if any, can no longer change the outcome: a part is out of
        reach even if they all turn out met, or every part is met already."""
        return not all(p.reachable for p in self.parts) or self.reached

    @property
    def reached(self) -> bool:
        return all(p.reached for p in self.parts)

    @property
    def unassessed(self) -> int:
        return sum(p.unassessed for p in self.parts)

    @property
    def state(self) -> str:
        """ "reached", "not_reached" or "incomplete" (not decided yet) — for colour and for
        programs."""
        if not self.decided:
            return "incomplete"
        return "reached" if self.reached else "not_reached"

    @property
    def verdict(self) -> str:
        """The judgement in words, e.g. "God ekonomisk hushållning uppnås"."""
        if not self.decided:
            return ngettext(
                "%(name)s cannot be judged yet – %(count)s goal has no assessment",
                "%(name)s cannot be judged yet – %(count)s goals have no assessment",
                self.unassessed,
            ) % {"name": self.name, "count": self.unassessed}
        if self.prognosis:
            text = (
                _("%(name)s is expected to be reached")
                if self.reached
                else _("%(name)s is expected not to be reached")
            )
        else:
            text = _("%(name)s is reached") if self.reached else _("%(name)s is not reached")
        if self.complete:
            return text % {"name": self.name}
        return ngettext(
            "%(verdict)s – %(count)s goal has no assessment yet but cannot change it",
            "%(verdict)s – %(count)s goals have no assessment yet but cannot change it",
            self.unassessed,
        ) % {"verdict": text % {"name": self.name}, "count": self.unassessed}

    @property
    def rule(self) -> str:
        """The model's rule in plain words, e.g. "… uppnås när minst 75 % av finansiella mål och
        minst 75 % av riktade mål är uppfyllda"."""
        parts = [
            _("at least %(share)s %% of %(levels)s")
            % {"share": p.min_percent, "levels": p.levels_text}
            for p in self.parts
        ]
        joined = (
            parts[0]
            if len(parts) == 1
            else _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
        )
        return _("%(name)s is reached when %(parts)s are met.") % {
            "name": self.name,
            "parts": joined,
        }


def overall_judgement_names(
    *, municipality_id: int, model: GovernanceModel | None = None
) -> list[str]:
    """The names of the model's overall judgements, for links to them; one query, none when the
    caller has the municipality's model already."""
    if model is not None:
        rule = model.assessment_rule
    else:
        rule = (
            GovernanceModel.objects.filter(municipality_id=municipality_id)
            .values_list("assessment_rule", flat=True)
            .first()
        )
    return [spec["name"] for spec in (rule or {}).get("overall", [])]


def overall_judgements(
    *, period: ReportingPeriod, with_goals: bool = False
) -> list[OverallJudgement]:
    """The model's judgements over whole levels for a period, by the shares of goals met.

    Only goals in force during the period's year count, each once — a riktat mål directed to
    several nämnder is one goal with one assessment. With `with_goals`, each part also carries
    its goals, their assessments and their indicators' outcomes against target; the whole read is
    a fixed number of queries however many goals there are.
    """
    rule = period.definition.model.assessment_rule or {}
    specs = rule.get("overall", [])
    if not specs:
        return []
    levels = {
        lvl.key: lvl for lvl in GoalLevel.objects.filter(municipality_id=period.municipality_id)
    }
    goals = Goal.objects.filter(municipality_id=period.municipality_id).in_force(period.year)
    per_level = dict(goals.order_by().values_list("level__key").annotate(n=Count("pk")))
    assessed = {
        (key, met): n
        for key, met, n in Assessment.objects.filter(period=period, goal__in=goals.values("pk"))
        .order_by()
        .values_list("goal__level__key", "value__is_met")
        .annotate(n=Count("pk"))
    }
    prognosis = not period.is_final
    items = _overall_items(period, goals, specs, prognosis) if with_goals else {}
    judgements = []
    for spec in specs:
        parts = []
        for part in spec["all_of"]:
            keys = part["levels"]
            parts.append(
                OverallPart(
                    levels=[levels[k].name_plural for k in keys if k in levels],
                    goals=sum(per_level.get(k, 0) for k in keys),
                    assessed=sum(assessed.get((k, m), 0) for k in keys for m in (True, False)),
                    met=sum(assessed.get((k, True), 0) for k in keys),
                    min_share=Decimal(str(part["min_share"])),
                    items=[item for k in keys for item in items.get(k, [])],
                )
            )
        judgements.append(OverallJudgement(spec["key"], spec["name"], parts, prognosis))
    return judgements


def _overall_items(period, goals, specs, prognosis) -> dict[str, list[OverallGoal]]:
    """The goals of the judgements' levels, per level key, with assessments and key figures."""
    keys = {k for spec in specs for part in spec["all_of"] for k in part["levels"]}
    chosen = list(
        goals.filter(level__key__in=keys)
        .select_related("level", "unit")
        .prefetch_related("directed_to")
        .order_by("code")
    )
    assessments = {
        a.goal_id: a
        for a in Assessment.objects.filter(
            municipality_id=period.municipality_id, period=period, goal__in=chosen
        ).select_related("value")
    }
    links = list(
        IndicatorGoal.objects.filter(municipality_id=period.municipality_id, goal__in=chosen)
        .select_related("indicator")
        .order_by("indicator__code")
    )
    indicators = list({link.indicator_id: link.indicator for link in links}.values())
    comparisons = indicator_comparisons(indicators=indicators, period=period) if indicators else {}
    figures: dict[int, list[KeyFigure]] = {}
    for link in links:
        figures.setdefault(link.goal_id, []).append(KeyFigure(comparisons[link.indicator_id]))
    found: dict[str, list[OverallGoal]] = {}
    for goal in chosen:
        found.setdefault(goal.level.key, []).append(
            OverallGoal(goal, assessments.get(goal.pk), figures.get(goal.pk, []), prognosis)
        )
    return found


# --- A report as it stood ---


@dataclass
class ReportSnapshot:
    """What was reported for a period, as it stood at a moment (e.g. when it was decided)."""

    when: datetime.datetime
    measurements: list[Measurement]
    forecasts: list[Forecast]
    assessments: list[Assessment]


def period_decided_at(*, period: ReportingPeriod) -> datetime.datetime | None:
    """The moment the period was recorded as decided, from its history."""
    record = (
        period.history.filter(state=ReportingPeriod.State.DECIDED).order_by("history_date").first()
    )
    return record.history_date if record else None


def followup_as_of(
    *, period: ReportingPeriod, when: datetime.datetime, unit: OrgUnit | None = None
) -> ReportSnapshot:
    """The period's outcomes, forecasts and assessments as they stood at `when` — "as reported at
    tertial 2" — for the whole municipality or a unit's subtree."""
    scope = {"period_id": period.pk}
    measurements = Measurement.history.as_of(when).filter(**scope)
    forecasts = Forecast.history.as_of(when).filter(**scope)
    assessments = Assessment.history.as_of(when).filter(**scope)
    if unit is not None:
        units = OrgUnit.objects.in_subtree(unit).values("pk")
        measurements = measurements.filter(unit_id__in=units)
        forecasts = forecasts.filter(unit_id__in=units)
        goals = Goal.objects.in_subtree(unit).values("pk")
        assessments = assessments.filter(goal_id__in=goals)
    return ReportSnapshot(when, list(measurements), list(forecasts), list(assessments))


@dataclass
class UnitFulfilment:
    unit: OrgUnit
    assessed: int
    counts: dict[int, int]  # scale value pk -> number of goals
    met: int

    @property
    def met_share(self) -> Decimal:
        return _share(self.met, self.assessed)


def assessment_counts_per_unit(
    *, period: ReportingPeriod, unit: OrgUnit | None = None, focus_area: FocusArea | None = None
) -> list[tuple[str, int, bool, int]]:
    """The assessments in scope at the period counted in the database per owning unit (its path)
    and value: a row per unit and value, not per goal. Both the roll-up and its drill-down add
    them up (`fulfilment(counts=...)`, `fulfilment_by_unit_below(counts=...)`)."""
    return list(
        assessments_in_scope(
            municipality_id=period.municipality_id,
            year=period.year,
            unit=unit,
            focus_area=focus_area,
        )
        .filter(period=period)
        .order_by()
        .values_list("goal__unit__path", "value_id", "value__is_met")
        .annotate(n=Count("pk"))
    )


def fulfilment_by_unit_below(
    *,
    period: ReportingPeriod,
    unit: OrgUnit | None = None,
    focus_area: FocusArea | None = None,
    counts: list[tuple] | None = None,
) -> list[UnitFulfilment]:
    """The drill-down: for each unit directly below `unit` (below the top when None), the
    assessments of its subtree at the period — two queries, however many units and goals (one
    when the caller has the `counts` of the same scope)."""
    below = OrgUnit.objects.filter(municipality_id=period.municipality_id)
    below = below.filter(parent=unit) if unit is not None else below.filter(depth=1)
    below = list(below.order_by("name"))
    by_path = {u.path: u for u in below}
    depth = (unit.depth + 1) if unit is not None else 1
    rows = counts
    if rows is None:
        rows = assessment_counts_per_unit(period=period, unit=unit, focus_area=focus_area)
    result = {u.pk: UnitFulfilment(u, 0, {}, 0) for u in below}
    for path, value_id, is_met, n in rows:
        parts = path.split(PATH_SEPARATOR)
        child = by_path.get(PATH_SEPARATOR.join(parts[: depth + 1]) + PATH_SEPARATOR)
        if child is None:
            continue
        item = result[child.pk]
        item.assessed += n
        item.counts[value_id] = item.counts.get(value_id, 0) + n
        item.met += n if is_met else 0
    return [r for r in result.values() if r.assessed]
