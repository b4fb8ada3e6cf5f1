"""The assessment rule: a suggested value on the model's scale for a goal at a period, with reasons.

Each piece of evidence scores 1 (met), ½ (partly: moving the right way from the baseline, or a child
goal in the middle of the scale) or 0 (not met). The share of the possible score picks the first
threshold of the model's rule it reaches; below all of them, the rule's `otherwise` value. Evidence
that cannot be judged (no outcome yet, no årsmål) is left out and named in the reasons.

- Indicators: the outcome for the period against the year's årsmål; in a prognosis period the
  forecast for the year when there is one. Direction and the rule's tolerance are honoured; a target
  that only says increase/decrease is judged against the baseline (nollbasvärde).
- Activities (when the rule's basis includes them): done counts as met, a deviating status as not
  met; one still running counts as met in a prognosis period unless its end date has passed, and as
  not met at the year's final period.
- Child goals: their own assessments at the period.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from styr.governance.models import AssessmentValue
from styr.planning.models import ActivityGoal, GoalLink, Indicator, IndicatorGoal, Target

from .models import Forecast, Gender, Measurement, ReportingPeriod

MET, PARTLY, NOT_MET = Decimal(1), Decimal("0.5"), Decimal(0)


@dataclass
class Suggestion:
    value: AssessmentValue | None
    share: Decimal | None
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Evidence:
    scores: list[Decimal] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, score: Decimal) -> None:
        self.scores.append(score)


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def indicator_judgement(
    *,
    indicator: Indicator,
    value: Decimal | None,
    target: Target | None,
    baseline: Target | None,
    tolerance_percent: Decimal,
) -> Decimal | None:
    """Met, partly or not met for one indicator's value; None when it cannot be judged."""
    if value is None or target is None:
        return None
    if target.value is not None:
        goal = target.value
        margin = abs(goal) * tolerance_percent / 100
        if indicator.direction == Indicator.Direction.DECREASE:
            reached = value <= goal + margin
            improved = (
                baseline is not None and baseline.value is not None and value < baseline.value
            )
        elif indicator.direction == Indicator.Direction.NONE:
            reached = abs(value - goal) <= margin
            improved = False
        else:
            reached = value >= goal - margin
            improved = (
                baseline is not None and baseline.value is not None and value > baseline.value
            )
        if reached:
            return MET
        return PARTLY if improved else NOT_MET
    if baseline is None or baseline.value is None:
        return None
    if target.change == Target.Change.DECREASE:
        return MET if value < baseline.value else NOT_MET
    return MET if value > baseline.value else NOT_MET


def assessment_suggest(*, goal, period: ReportingPeriod) -> Suggestion:
    return assessment_suggest_many(goals=[goal], period=period)[goal.pk]


def assessment_suggest_many(
    *, goals, period: ReportingPeriod, scale: list[AssessmentValue] | None = None
) -> dict[int, Suggestion]:
    """Suggestions for many goals at once, with a fixed number of queries however many there are.
    `scale`: the model's scale values in order, when the caller has read them already."""
    if not goals:
        return {}
    model = period.definition.model
    rule = model.assessment_rule or {}
    if scale is None:
        scale = list(AssessmentValue.objects.filter(model=model).order_by("order"))
    with_activities = rule.get("basis", "indicators_and_activities") == "indicators_and_activities"
    basis = _Basis([g.pk for g in goals], period, with_activities=with_activities)
    suggestions = {}
    for goal in goals:
        evidence = _Evidence()
        _indicator_evidence(goal, period, rule, evidence, basis)
        if with_activities:
            _activity_evidence(goal, period, evidence, basis)
        _child_goal_evidence(goal, scale, evidence, basis)
        suggestions[goal.pk] = _suggestion(evidence, rule, scale)
    return suggestions


def _suggestion(evidence: _Evidence, rule: dict, scale) -> Suggestion:
    if not evidence.scores:
        no_basis = _("No basis for a suggestion yet: no outcomes, statuses or assessed subgoals.")
        return Suggestion(None, None, [no_basis, *evidence.reasons])
    share = sum(evidence.scores) / len(evidence.scores)
    by_key = {v.key: v for v in scale}
    chosen = by_key.get(rule.get("otherwise"))
    for threshold in rule.get("thresholds", []):
        if share >= Decimal(str(threshold["min_share"])):
            chosen = by_key.get(threshold["value"])
            break
    return Suggestion(chosen, share.quantize(Decimal("0.01")), evidence.reasons)


@dataclass(frozen=True, slots=True)
class _Indicator:
    """An indicator as the rule reads it."""

    pk: int
    name: str
    direction: str


@dataclass(frozen=True, slots=True)
class _Activity:
    """An activity linked to a goal, with its status in the period (None: no report)."""

    pk: int
    title: str
    end: datetime.date
    status: "_Status | None"


@dataclass(frozen=True, slots=True)
class _Status:
    label: str
    is_done: bool
    is_deviation: bool


class _Basis:
    """Everything the rule reads for a set of goals at a period, read once, as plain rows: the
    follow-up screen asks for a suggestion for each of its goals on every visit."""

    def __init__(self, goal_ids: list[int], period: ReportingPeriod, *, with_activities: bool):
        self.indicators_of: dict[int, list[_Indicator]] = {}
        indicators: dict[int, _Indicator] = {}
        for goal_id, pk, name, direction in (
            IndicatorGoal.objects.filter(
                goal_id__in=goal_ids, indicator__kind=Indicator.Kind.INDICATOR
            )
            .order_by("indicator__code")
            .values_list("goal_id", "indicator_id", "indicator__name", "indicator__direction")
        ):
            if pk not in indicators:
                indicators[pk] = _Indicator(pk, name, direction)
            self.indicators_of.setdefault(goal_id, []).append(indicators[pk])
        indicator_ids = set(indicators)
        # The year's årsmål and the baselines up to it in one read; the latest baseline wins.
        self.targets: dict[int, Target] = {}
        self.baselines: dict[int, Target] = {}
        if indicator_ids:
            for target in (
                Target.objects.filter(
                    Q(kind=Target.Kind.ANNUAL, year=period.year)
                    | Q(kind=Target.Kind.BASELINE, year__lte=period.year),
                    indicator_id__in=indicator_ids,
                )
                .only("indicator_id", "kind", "year", "value", "change")
                .order_by("year")
            ):
                found = self.targets if target.kind == Target.Kind.ANNUAL else self.baselines
                found[target.indicator_id] = target
        self.outcomes = {}
        if indicator_ids:
            self.outcomes = dict(
                Measurement.objects.filter(
                    period=period, indicator_id__in=indicator_ids, gender=Gender.TOTAL
                ).values_list("indicator_id", "value")
            )
        self.forecasts = {}
        if indicator_ids and not period.is_final:
            self.forecasts = dict(
                Forecast.objects.filter(
                    period=period, indicator_id__in=indicator_ids, value__isnull=False
                ).values_list("indicator_id", "value")
            )
        # The activities with their status in the period, read with the links.
        self.activities_of: dict[int, list[_Activity]] = {}
        if with_activities:
            self._read_activities(goal_ids, period)
        # The child goals' assessments in the period (their values), read with the links.
        self.child_assessments: dict[int, list[tuple[int, bool]]] = {}
        for parent_id, value_id, is_met in (
            GoalLink.objects.filter(parent_id__in=goal_ids)
            .annotate(
                assessment=FilteredRelation(
                    "goal__assessments", condition=Q(goal__assessments__period=period)
                )
            )
            .order_by()
            .values_list("parent_id", "assessment__value_id", "assessment__value__is_met")
        ):
            found = self.child_assessments.setdefault(parent_id, [])
            if value_id is not None:
                found.append((value_id, is_met))

    def _read_activities(self, goal_ids: list[int], period: ReportingPeriod) -> None:
        activities: dict[int, _Activity] = {}
        rows = (
            ActivityGoal.objects.filter(goal_id__in=goal_ids)
            .annotate(
                report=FilteredRelation(
                    "activity__reports", condition=Q(activity__reports__period=period)
                )
            )
            .order_by("activity__code")
            .values_list(
                "goal_id",
                "activity_id",
                "activity__title",
                "activity__end",
                "report__status__label",
                "report__status__is_done",
                "report__status__is_deviation",
            )
        )
        for goal_id, pk, title, end, label, is_done, is_deviation in rows:
            if pk not in activities:
                status = _Status(label, is_done, is_deviation) if label is not None else None
                activities[pk] = _Activity(pk, title, end, status)
            self.activities_of.setdefault(goal_id, []).append(activities[pk])


def _indicator_evidence(
    goal, period: ReportingPeriod, rule: dict, evidence: _Evidence, basis: _Basis
) -> None:
    indicators = basis.indicators_of.get(goal.pk, [])
    if not indicators:
        return
    targets, baselines = basis.targets, basis.baselines
    outcomes = basis.outcomes
    forecasts = {i.pk: basis.forecasts[i.pk] for i in indicators if i.pk in basis.forecasts}
    tolerance = Decimal(str(rule.get("tolerance_percent", 0)))
    judged = reached = 0
    for indicator in indicators:
        value = forecasts.get(indicator.pk, outcomes.get(indicator.pk))
        target = targets.get(indicator.pk)
        score = indicator_judgement(
            indicator=indicator,
            value=value,
            target=target,
            baseline=baselines.get(indicator.pk),
            tolerance_percent=tolerance,
        )
        if score is None:
            if target is None:
                evidence.reasons.append(
                    _("“%(name)s” has no target for %(year)s and is not counted.")
                    % {"name": indicator.name, "year": period.year}
                )
            elif value is None:
                evidence.reasons.append(
                    _("“%(name)s” has no outcome yet and is not counted.")
                    % {"name": indicator.name}
                )
            else:
                evidence.reasons.append(
                    _("“%(name)s” has no baseline to judge the change against.")
                    % {"name": indicator.name}
                )
            continue
        judged += 1
        evidence.add(score)
        if score == MET:
            reached += 1
        else:
            evidence.reasons.append(_indicator_miss(indicator, value, target, score, forecasts))
    if judged:
        if forecasts:
            summary = ngettext(
                "%(reached)s of %(count)s indicator is forecast to reach its target.",
                "%(reached)s of %(count)s indicators are forecast to reach their targets.",
                judged,
            )
        else:
            summary = ngettext(
                "%(reached)s of %(count)s indicator reaches its target.",
                "%(reached)s of %(count)s indicators reach their targets.",
                judged,
            )
        evidence.reasons.insert(0, summary % {"reached": reached, "count": judged})


def _indicator_miss(indicator, value, target, score, forecasts) -> str:
    kind = _("forecast") if indicator.pk in forecasts else _("outcome")
    goal = _number(target.value) if target.value is not None else target.get_change_display()
    if score == PARTLY:
        return _(
            "“%(name)s” does not reach its target but is better than the baseline "
            "(%(kind)s %(value)s, target %(target)s)."
        ) % {"name": indicator.name, "kind": kind, "value": _number(value), "target": goal}
    return _("“%(name)s” does not reach its target (%(kind)s %(value)s, target %(target)s).") % {
        "name": indicator.name,
        "kind": kind,
        "value": _number(value),
        "target": goal,
    }


def _activity_evidence(goal, period: ReportingPeriod, evidence: _Evidence, basis: _Basis) -> None:
    for activity in basis.activities_of.get(goal.pk, []):
        status = activity.status
        if status is None:
            evidence.reasons.append(
                _("The activity “%(title)s” has no status for the period and is not counted.")
                % {"title": activity.title}
            )
            continue
        if status.is_done:
            evidence.add(MET)
        elif status.is_deviation:
            evidence.add(NOT_MET)
            evidence.reasons.append(
                _("The activity “%(title)s” is %(status)s.")
                % {"title": activity.title, "status": status.label.lower()}
            )
        elif period.is_final or activity.end < period.ends_on:
            evidence.add(NOT_MET)
            evidence.reasons.append(
                _("The activity “%(title)s” should have been done by %(end)s but is %(status)s.")
                % {"title": activity.title, "end": activity.end, "status": status.label.lower()}
            )
        else:
            evidence.add(MET)


def _child_goal_evidence(goal, scale, evidence: _Evidence, basis: _Basis) -> None:
    assessments = basis.child_assessments.get(goal.pk, [])
    if not assessments:
        return
    positions = {v.pk: i for i, v in enumerate(scale)}
    worst = max(len(scale) - 1, 1)
    met = 0
    for value_id, is_met in assessments:
        if is_met:
            evidence.add(MET)
            met += 1
        else:
            evidence.add(Decimal(1) - Decimal(positions[value_id]) / worst)
    evidence.reasons.append(
        ngettext(
            "%(met)s of %(count)s child goal is assessed as met.",
            "%(met)s of %(count)s child goals are assessed as met.",
            len(assessments),
        )
        % {"met": met, "count": len(assessments)}
    )
