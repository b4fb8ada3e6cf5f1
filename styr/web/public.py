"""Reads for the public view (insyn): what a municipality has decided, for anyone to read.

What is public comes from the data, never from a page:

- A unit's plan for a year is public once its plan has been adopted (fastställd) in the workflow:
  a `Submission` of kind plan in state adopted, with the meeting date and paragraph. Adoption locks
  the plan for good (the workflow cannot return an adopted plan), so its goals read as decided.
  A goal's level being decided by a political body is not enough on its own: a planner's new goal
  is active from the moment it is saved, before the body has decided anything.
- A goal is public when it is not a draft and either belongs to an adopted plan for a year it is in
  force, or was assessed in a decided follow-up (a decided report is a public document).
- A follow-up is public once its reporting period is decided. Its outcomes, forecasts, statuses and
  assessments are shown as they stood at the moment of the decision, read from their history.

Nothing here names a person: who reported, assessed or approved, the responsible person of an
activity or åtgärd, and the comments of the workflow stay inside Styr. Every selector runs a fixed
number of queries, whatever the size of the municipality.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, QuerySet

from styr.followup.models import (
    ActivityReport,
    Assessment,
    CorrectiveAction,
    Forecast,
    Gender,
    Measurement,
    ReportingPeriod,
)
from styr.governance.models import ActivityStatus, AssessmentValue, GovernanceModel
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import (
    Activity,
    ActivityGoal,
    Goal,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)
from styr.workflow.models import Submission

DECIDED = ReportingPeriod.State.DECIDED


def public_municipality(*, code: str) -> Municipality | None:
    """The municipality with this code if it has turned its public view on."""
    return Municipality.objects.filter(code=code, public_view=True).defer("logo").first()


def adopted_plans(*, municipality: Municipality) -> list[Submission]:
    """Every adopted plan of the municipality, in the order of the organisation and by year."""
    return list(
        Submission.objects.filter(
            municipality=municipality,
            kind=Submission.Kind.PLAN,
            state=Submission.State.ADOPTED,
        )
        .select_related("unit__type")
        .order_by("unit__path", "year")
    )


def adopted_plan(*, unit: OrgUnit, year: int) -> Submission | None:
    return Submission.objects.filter(
        municipality_id=unit.municipality_id,
        unit=unit,
        kind=Submission.Kind.PLAN,
        year=year,
        state=Submission.State.ADOPTED,
    ).first()


def decided_periods(*, municipality: Municipality) -> QuerySet[ReportingPeriod]:
    return (
        ReportingPeriod.objects.filter(municipality=municipality, state=DECIDED)
        .select_related("definition__decided_by")
        .order_by("-year", "-month", "definition__order")
    )


def public_goal_ids(*, goals, municipality_id: int) -> set[int]:
    """Which of `goals` the public may read (see the module's rule): two queries."""
    goals = [g for g in goals if g.status != Goal.Status.DRAFT]
    if not goals:
        return set()
    plan_years: dict[int, list[int]] = {}
    for unit_id, year in Submission.objects.filter(
        municipality_id=municipality_id,
        kind=Submission.Kind.PLAN,
        state=Submission.State.ADOPTED,
        unit_id__in={g.unit_id for g in goals},
    ).values_list("unit_id", "year"):
        plan_years.setdefault(unit_id, []).append(year)
    assessed = set(
        Assessment.objects.filter(
            goal_id__in=[g.pk for g in goals], period__state=DECIDED
        ).values_list("goal_id", flat=True)
    )

    def in_adopted_plan(goal: Goal) -> bool:
        last = goal.valid_to.year if goal.valid_to else None
        return any(
            goal.valid_from.year <= year and (last is None or year <= last)
            for year in plan_years.get(goal.unit_id, [])
        )

    return {g.pk for g in goals if g.pk in assessed or in_adopted_plan(g)}


# --- As decided --------------------------------------------------------------------------------


def decided_moments(periods) -> dict[int, datetime.datetime]:
    """For each decided period, the moment it was recorded as decided (from its history)."""
    periods = list(periods)
    moments = dict(
        ReportingPeriod.history.filter(id__in=[p.pk for p in periods], state=DECIDED)
        .order_by()
        .values("id")
        .annotate(at=Min("history_date"))
        .values_list("id", "at")
    )
    # A period decided without a history record (written straight to the database) counts as
    # decided at its last change.
    return {p.pk: moments.get(p.pk) or p.updated_at for p in periods}


def as_decided(current, history, moment_of) -> list:
    """The rows as they stood at their period's decision: the latest history record at or before
    the moment (none if the row came later or had been deleted by then). A row that has no
    history at all (written in bulk by an import) is taken as it is now."""
    chosen: dict[int, object] = {}
    with_history: set[int] = set()
    for record in history.order_by("history_date", "history_id"):
        with_history.add(record.id)
        if record.history_date <= moment_of(record):
            chosen[record.id] = None if record.history_type == "-" else record.instance
    for row in current:
        if row.pk not in with_history:
            chosen[row.pk] = row
    return [row for row in chosen.values() if row is not None]


def _as_decided_in(model, moments: dict[int, datetime.datetime], **scope) -> list:
    """`model`'s rows of the decided periods in `moments` within `scope`, as decided."""
    scope = {"period_id__in": list(moments), **scope}
    return as_decided(
        model.objects.filter(**scope),
        model.history.filter(**scope),
        lambda record: moments[record.period_id],
    )


def _corrective_actions(assessments, moments) -> dict[int, list[CorrectiveAction]]:
    """The åtgärder of the decided assessments, as decided, by assessment."""
    period_of = {a.pk: a.period_id for a in assessments}
    scope = {"assessment_id__in": list(period_of)}
    rows = as_decided(
        CorrectiveAction.objects.filter(**scope),
        CorrectiveAction.history.filter(**scope),
        lambda record: moments[period_of[record.assessment_id]],
    )
    by_assessment: dict[int, list[CorrectiveAction]] = {}
    for row in sorted(rows, key=lambda c: (c.due_on, c.pk)):
        by_assessment.setdefault(row.assessment_id, []).append(row)
    return by_assessment


@dataclass
class DecidedAssessment:
    period: ReportingPeriod
    value: AssessmentValue
    analysis: str
    next_year: str
    actions: list[CorrectiveAction]

    @property
    def label(self) -> str:
        if self.period.is_final:
            return self.value.label
        return self.value.prognosis_label or self.value.label


def _decided_assessments(rows, periods, moments) -> dict[int, list[DecidedAssessment]]:
    scale = {
        v.pk: v for v in AssessmentValue.objects.filter(pk__in={a.value_id for a in rows} or [0])
    }
    actions = _corrective_actions(rows, moments)
    by_goal: dict[int, list[DecidedAssessment]] = {}
    for row in rows:
        by_goal.setdefault(row.goal_id, []).append(
            DecidedAssessment(
                periods[row.period_id],
                scale[row.value_id],
                row.analysis,
                row.next_year,
                actions.get(row.pk, []),
            )
        )
    for items in by_goal.values():
        items.sort(key=lambda a: (a.period.year, a.period.month, a.period.definition.order))
    return by_goal


# --- The start page ----------------------------------------------------------------------------


@dataclass
class UnitPlans:
    unit: OrgUnit
    plans: list[Submission]


@dataclass
class PublicHome:
    municipality: Municipality
    vision: str
    root: OrgUnit | None
    units: list[UnitPlans]
    periods: list[ReportingPeriod]


def public_home(*, municipality: Municipality) -> PublicHome:
    model = GovernanceModel.objects.filter(municipality=municipality).only("vision").first()
    units: dict[int, UnitPlans] = {}
    for plan in adopted_plans(municipality=municipality):
        units.setdefault(plan.unit_id, UnitPlans(plan.unit, [])).plans.append(plan)
    return PublicHome(
        municipality=municipality,
        vision=model.vision if model else "",
        root=OrgUnit.objects.filter(municipality=municipality, depth=0).order_by("path").first(),
        units=list(units.values()),
        periods=list(decided_periods(municipality=municipality)),
    )


# --- A unit's decided plan ---------------------------------------------------------------------


@dataclass
class PlanIndicator:
    indicator: Indicator
    targets: list[Target]


@dataclass
class PlanGoal:
    goal: Goal
    texts: list[tuple[str, str]]
    parents: list[tuple[Goal, bool]]  # (parent, whether its page is public)
    indicators: list[PlanIndicator] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)


@dataclass
class PublicPlan:
    unit: OrgUnit
    year: int
    submission: Submission
    goals: list[PlanGoal]
    units_below: list[OrgUnit]
    periods: list[ReportingPeriod]


def goal_texts(goal: Goal) -> list[tuple[str, str]]:
    """The level's text fields that the goal fills in, with the labels the styrmodell gives."""
    return [
        (label, goal.texts[key])
        for key, label in goal.level.text_field_labels().items()
        if goal.texts.get(key)
    ]


def public_plan(*, unit: OrgUnit, year: int) -> PublicPlan | None:
    """The unit's adopted plan for the year: its goals in force with their texts, the goals they
    contribute to, their indicators with the year's targets, and their activities."""
    submission = adopted_plan(unit=unit, year=year)
    if submission is None:
        return None
    goals = list(
        Goal.objects.filter(municipality_id=unit.municipality_id, unit=unit)
        .in_force(year)
        .select_related("level")
        .order_by("level__order", "code")
    )
    links = list(
        GoalLink.objects.filter(goal__in=goals)
        .select_related("parent__level", "parent__unit")
        .order_by("parent__level__order", "parent__code")
    )
    public_parents = public_goal_ids(
        goals=[link.parent for link in links], municipality_id=unit.municipality_id
    )
    items = {g.pk: PlanGoal(g, goal_texts(g), []) for g in goals}
    for link in links:
        if link.parent.status != Goal.Status.DRAFT:
            items[link.goal_id].parents.append((link.parent, link.parent_id in public_parents))
    indicator_links = list(
        IndicatorGoal.objects.filter(goal__in=goals)
        .select_related("indicator")
        .order_by("indicator__code")
    )
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(
        indicator_id__in={link.indicator_id for link in indicator_links}, year__lte=year
    ).order_by("year", "kind"):
        if target.year == year or target.kind == Target.Kind.BASELINE:
            targets.setdefault(target.indicator_id, []).append(target)
    for link in indicator_links:
        own = targets.get(link.indicator_id, [])
        baselines = [t for t in own if t.kind == Target.Kind.BASELINE]
        shown = [t for t in own if t.kind != Target.Kind.BASELINE] + baselines[-1:]
        items[link.goal_id].indicators.append(PlanIndicator(link.indicator, shown))
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    for link in (
        ActivityGoal.objects.filter(
            goal__in=goals, activity__start__lte=end, activity__end__gte=start
        )
        .select_related("activity")
        .order_by("activity__start", "activity__code")
    ):
        items[link.goal_id].activities.append(link.activity)
    below = list(
        OrgUnit.objects.filter(
            municipality_id=unit.municipality_id,
            parent=unit,
            submissions__kind=Submission.Kind.PLAN,
            submissions__year=year,
            submissions__state=Submission.State.ADOPTED,
        ).order_by("name")
    )
    periods = list(
        ReportingPeriod.objects.filter(
            municipality_id=unit.municipality_id, state=DECIDED, year=year
        )
        .select_related("definition")
        .order_by("month", "definition__order")
    )
    return PublicPlan(unit, year, submission, list(items.values()), below, periods)


# --- A goal's public page ------------------------------------------------------------------------


class ByGender:
    """Total, women and men of a row whose `values` are keyed by Kolada's T, K and M."""

    values: dict[str, Decimal]

    @property
    def total(self):
        return self.values.get(Gender.TOTAL)

    @property
    def women(self):
        return self.values.get(Gender.WOMEN)

    @property
    def men(self):
        return self.values.get(Gender.MEN)


@dataclass
class OutcomeRow(ByGender):
    period: ReportingPeriod
    values: dict[str, Decimal]
    forecast: Decimal | None
    target: Target | None


@dataclass
class GoalIndicator:
    indicator: Indicator
    rows: list[OutcomeRow]
    targets: list[Target]


@dataclass
class PublicGoal:
    goal: Goal
    texts: list[tuple[str, str]]
    parents: list[Goal]
    children: list[Goal]
    indicators: list[GoalIndicator]
    assessments: list[DecidedAssessment]
    plan_years: list[int]


def public_goal(*, goal: Goal) -> PublicGoal | None:
    """A public goal with the public goals above and below it, its indicators with the outcomes of
    the decided periods and the assessments those periods decided. None if it is not public."""
    parents = list(goal.parents.select_related("level", "unit").order_by("level__order", "code"))
    children = list(
        goal.children.select_related("level", "unit").order_by("unit__path", "level__order", "code")
    )
    public = public_goal_ids(
        goals=[goal, *parents, *children], municipality_id=goal.municipality_id
    )
    if goal.pk not in public:
        return None
    periods = {
        p.pk: p
        for p in ReportingPeriod.objects.filter(
            municipality_id=goal.municipality_id,
            state=DECIDED,
            year__gte=goal.valid_from.year,
            **({"year__lte": goal.valid_to.year} if goal.valid_to else {}),
        ).select_related("definition")
    }
    moments = decided_moments(periods.values())
    indicators = list(goal.indicators.select_related("unit").order_by("code"))
    measurements = _as_decided_in(Measurement, moments, indicator_id__in=[i.pk for i in indicators])
    forecasts = _as_decided_in(Forecast, moments, indicator_id__in=[i.pk for i in indicators])
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(indicator__in=indicators).order_by("year", "kind"):
        targets.setdefault(target.indicator_id, []).append(target)
    owner = {i.pk: i.unit_id for i in indicators}
    values: dict[tuple[int, int], dict[str, Decimal]] = {}
    for m in measurements:
        if m.unit_id == owner[m.indicator_id]:
            values.setdefault((m.indicator_id, m.period_id), {})[m.gender] = m.value
    forecast = {
        (f.indicator_id, f.period_id): f.value
        for f in forecasts
        if f.unit_id == owner[f.indicator_id]
    }
    ordered = sorted(periods.values(), key=lambda p: (p.year, p.month, p.definition.order))
    tables = []
    for indicator in indicators:
        own = targets.get(indicator.pk, [])
        annual = {t.year: t for t in own if t.kind == Target.Kind.ANNUAL}
        rows = [
            OutcomeRow(
                p,
                values.get((indicator.pk, p.pk), {}),
                forecast.get((indicator.pk, p.pk)),
                annual.get(p.year),
            )
            for p in ordered
            if (indicator.pk, p.pk) in values or (indicator.pk, p.pk) in forecast
        ]
        tables.append(GoalIndicator(indicator, rows, own))
    assessments = _as_decided_in(Assessment, moments, goal_id=goal.pk)
    decided = _decided_assessments(assessments, periods, moments).get(goal.pk, [])
    plan_years = sorted(
        Submission.objects.filter(
            unit_id=goal.unit_id,
            kind=Submission.Kind.PLAN,
            state=Submission.State.ADOPTED,
            year__gte=goal.valid_from.year,
            **({"year__lte": goal.valid_to.year} if goal.valid_to else {}),
        ).values_list("year", flat=True)
    )
    return PublicGoal(
        goal=goal,
        texts=goal_texts(goal),
        parents=[p for p in parents if p.pk in public],
        children=[c for c in children if c.pk in public],
        indicators=tables,
        assessments=decided,
        plan_years=plan_years,
    )


# --- A unit's decided follow-up ----------------------------------------------------------------


@dataclass
class FollowupIndicator(ByGender):
    indicator: Indicator
    values: dict[str, Decimal]
    forecast: Forecast | None
    target: Target | None


@dataclass
class FollowupGoal:
    goal: Goal
    assessment: DecidedAssessment


@dataclass
class FollowupActivity:
    activity: Activity
    status: ActivityStatus
    comment: str


@dataclass
class PublicFollowup:
    unit: OrgUnit
    period: ReportingPeriod
    goals: list[FollowupGoal]
    indicators: list[FollowupIndicator]
    activities: list[FollowupActivity]
    units_below: list[OrgUnit]
    plan: Submission | None


def public_followup(*, unit: OrgUnit, period: ReportingPeriod) -> PublicFollowup | None:
    """What the unit reported for a decided period, as it stood when the period was decided: its
    goals' assessments with analysis and åtgärder, its indicators' outcomes and forecasts, and its
    activities' statuses. None if the period is not decided."""
    if not period.is_decided or period.municipality_id != unit.municipality_id:
        return None
    moments = decided_moments([period])
    periods = {period.pk: period}
    assessments = _as_decided_in(Assessment, moments, goal__unit=unit)
    goals = {
        g.pk: g
        for g in Goal.objects.filter(pk__in=[a.goal_id for a in assessments])
        .exclude(status=Goal.Status.DRAFT)
        .select_related("level")
    }
    decided = _decided_assessments([a for a in assessments if a.goal_id in goals], periods, moments)
    followup_goals = [
        FollowupGoal(goals[goal_id], items[0])
        for goal_id, items in decided.items()
        if goal_id in goals
    ]
    followup_goals.sort(key=lambda item: (item.goal.level.order, item.goal.code))
    measurements = _as_decided_in(Measurement, moments, unit_id=unit.pk)
    forecasts = {f.indicator_id: f for f in _as_decided_in(Forecast, moments, unit_id=unit.pk)}
    values: dict[int, dict[str, Decimal]] = {}
    for m in measurements:
        values.setdefault(m.indicator_id, {})[m.gender] = m.value
    indicator_ids = set(values) | set(forecasts)
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            indicator_id__in=indicator_ids, kind=Target.Kind.ANNUAL, year=period.year
        )
    }
    indicators = [
        FollowupIndicator(i, values.get(i.pk, {}), forecasts.get(i.pk), targets.get(i.pk))
        for i in Indicator.objects.filter(pk__in=indicator_ids).order_by("code")
    ]
    reports = _as_decided_in(ActivityReport, moments, activity__unit=unit)
    activities = {a.pk: a for a in Activity.objects.filter(pk__in=[r.activity_id for r in reports])}
    statuses = {
        s.pk: s for s in ActivityStatus.objects.filter(pk__in={r.status_id for r in reports} or [0])
    }
    followup_activities = sorted(
        (
            FollowupActivity(activities[r.activity_id], statuses[r.status_id], r.comment)
            for r in reports
            if r.activity_id in activities
        ),
        key=lambda item: (item.activity.end, item.activity.code),
    )
    below = list(
        OrgUnit.objects.filter(municipality_id=unit.municipality_id, parent=unit).order_by("name")
    )
    return PublicFollowup(
        unit=unit,
        period=period,
        goals=followup_goals,
        indicators=indicators,
        activities=followup_activities,
        units_below=below,
        plan=adopted_plan(unit=unit, year=period.year),
    )
