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

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from styr.governance.models import AssessmentValue
from styr.planning.models import Activity, ActivityGoal, GoalLink, Indicator, IndicatorGoal, Target

from .models import ActivityReport, Assessment, Forecast, Gender, Measurement, ReportingPeriod

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


def assessment_suggest_many(*, goals, period: ReportingPeriod) -> dict[int, Suggestion]:
    """Suggestions for many goals at once, with a fixed number of queries however many there are."""
    model = period.definition.model
    rule = model.assessment_rule or {}
    scale = list(AssessmentValue.objects.filter(model=model).order_by("order"))
    basis = _Basis([g.pk for g in goals], period)
    with_activities = rule.get("basis", "indicators_and_activities") == "indicators_and_activities"
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


class _Basis:
    """Everything the rule reads for a set of goals at a period, read once."""

    def __init__(self, goal_ids: list[int], period: ReportingPeriod):
        self.indicators_of: dict[int, list[Indicator]] = {}
        for link in (
            IndicatorGoal.objects.filter(
                goal_id__in=goal_ids, indicator__kind=Indicator.Kind.INDICATOR
            )
            .select_related("indicator")
            .order_by("indicator__code")
        ):
            self.indicators_of.setdefault(link.goal_id, []).append(link.indicator)
        indicator_ids = {i.pk for found in self.indicators_of.values() for i in found}
        self.targets = {
            t.indicator_id: t
            for t in Target.objects.filter(
                indicator_id__in=indicator_ids, year=period.year, kind=Target.Kind.ANNUAL
            )
        }
        self.baselines = {}
        for baseline in Target.objects.filter(
            indicator_id__in=indicator_ids, kind=Target.Kind.BASELINE, year__lte=period.year
        ).order_by("year"):
            self.baselines[baseline.indicator_id] = baseline  # the latest one wins
        self.outcomes = dict(
            Measurement.objects.filter(
                period=period, indicator_id__in=indicator_ids, gender=Gender.TOTAL
            ).values_list("indicator_id", "value")
        )
        self.forecasts = {}
        if not period.is_final:
            self.forecasts = dict(
                Forecast.objects.filter(
                    period=period, indicator_id__in=indicator_ids, value__isnull=False
                ).values_list("indicator_id", "value")
            )
        self.activities_of: dict[int, list[Activity]] = {}
        for link in (
            ActivityGoal.objects.filter(goal_id__in=goal_ids)
            .select_related("activity")
            .order_by("activity__code")
        ):
            self.activities_of.setdefault(link.goal_id, []).append(link.activity)
        activity_ids = {a.pk for found in self.activities_of.values() for a in found}
        self.reports = {
            r.activity_id: r
            for r in ActivityReport.objects.filter(period=period, activity_id__in=activity_ids)
            .select_related("status")
            .order_by()
        }
        children: dict[int, list[int]] = {}
        for parent_id, child_id in GoalLink.objects.filter(parent_id__in=goal_ids).values_list(
            "parent_id", "goal_id"
        ):
            children.setdefault(parent_id, []).append(child_id)
        assessed = {
            a.goal_id: a
            for a in Assessment.objects.filter(
                period=period, goal_id__in={c for found in children.values() for c in found}
            ).select_related("value")
        }
        self.child_assessments = {
            parent: [assessed[c] for c in found if c in assessed]
            for parent, found in children.items()
        }


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
    activities = basis.activities_of.get(goal.pk, [])
    reports = basis.reports
    for activity in activities:
        report = reports.get(activity.pk)
        if report is None:
            evidence.reasons.append(
                _("The activity “%(title)s” has no status for the period and is not counted.")
                % {"title": activity.title}
            )
            continue
        status = report.status
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
    for assessment in assessments:
        if assessment.value.is_met:
            evidence.add(MET)
            met += 1
        else:
            evidence.add(Decimal(1) - Decimal(positions[assessment.value_id]) / worst)
    evidence.reasons.append(
        ngettext(
            "%(met)s of %(count)s child goal is assessed as met.",
            "%(met)s of %(count)s child goals are assessed as met.",
            len(assessments),
        )
        % {"met": met, "count": len(assessments)}
    )
