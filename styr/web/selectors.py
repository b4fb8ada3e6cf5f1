"""Reads for the pages: each composes the domain selectors and the permission policy, with a
fixed number of queries whatever the size of the municipality."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, QuerySet

from styr.access.policy import Action, can, may_somewhere, role_grants, units_where, visible_to
from styr.followup.lint import ERROR, plan_lint
from styr.followup.models import (
    ActivityReport,
    Assessment,
    Forecast,
    Measurement,
    ReportingPeriod,
)
from styr.governance.models import FocusArea
from styr.organisation.models import Municipality, OrgUnit
from styr.planning.models import Activity, ActivityGoal, Goal, GoalLink, Indicator
from styr.workflow.models import Submission


def user_municipality_ids(user) -> list[int]:
    if user.is_superuser:
        return list(OrgUnit.objects.filter(depth=0).values_list("municipality_id", flat=True))
    return sorted({g.municipality_id for g in role_grants(user)})


def latest_assessments(goal_ids) -> dict[int, Assessment]:
    """Each goal's most recent assessment (the latest period it was assessed in)."""
    latest: dict[int, Assessment] = {}
    rows = (
        Assessment.objects.filter(goal_id__in=goal_ids)
        .select_related("value", "period__definition")
        .order_by("goal_id", "-period__year", "-period__month", "-period__definition__order")
    )
    for assessment in rows:
        latest.setdefault(assessment.goal_id, assessment)
    return latest


# --- Mitt uppdrag ------------------------------------------------------------------------------


@dataclass
class Duty:
    unit: OrgUnit
    period: ReportingPeriod
    deadline: datetime.date
    missing_goals: int
    state: str


@dataclass
class MyWork:
    duties: list[Duty] = field(default_factory=list)
    to_approve: list[Submission] = field(default_factory=list)
    findings: list = field(default_factory=list)
    units: dict = field(default_factory=dict)  # the person's units and their roles there
    errors: int = 0


def my_work(*, user, today: datetime.date) -> MyWork:
    """What the person must do now, in a fixed number of queries per municipality."""
    work = MyWork()
    with_goals = OrgUnit.objects.filter(
        Exists(Goal.objects.filter(unit_id=OuterRef("pk")))
    ).select_related("type")
    # The first 50 the person may report for.
    report_units = list(units_where(user, Action.REPORT, with_goals).order_by("path")[:50])
    open_periods = list(
        ReportingPeriod.objects.filter(
            state=ReportingPeriod.State.OPEN,
            municipality_id__in={u.municipality_id for u in report_units},
        ).select_related("definition")
    )
    periods = [
        p
        for p in open_periods
        if p.ends_on <= today + datetime.timedelta(days=31) and "goals" in p.definition.follows_up
    ]
    goals = Goal.objects.filter(unit__in=report_units).exclude(status=Goal.Status.DRAFT)
    assessed = set(
        Assessment.objects.filter(period__in=periods, goal__in=goals.values("pk")).values_list(
            "goal_id", "period_id"
        )
    )
    goals = list(goals.values_list("pk", "unit_id", "valid_from", "valid_to"))
    states = dict(
        ((unit_id, period_id), state)
        for unit_id, period_id, state in Submission.objects.filter(
            unit__in=report_units, period__in=periods
        ).values_list("unit_id", "period_id", "state")
    )
    goals_of: dict[int, list[tuple]] = {}
    for row in goals:
        goals_of.setdefault(row[1], []).append(row)
    for unit in report_units:
        for period in periods:
            deadline = period.deadline_for(unit.type.key)
            if period.municipality_id != unit.municipality_id or deadline is None:
                continue
            start, end = datetime.date(period.year, 1, 1), datetime.date(period.year, 12, 31)
            missing = sum(
                1
                for pk, _unit_id, valid_from, valid_to in goals_of.get(unit.pk, ())
                if valid_from <= end
                and (valid_to is None or valid_to >= start)
                and (pk, period.pk) not in assessed
            )
            state = states.get((unit.pk, period.pk), Submission.State.DRAFT)
            work.duties.append(Duty(unit, period, deadline, missing, state))
    work.duties.sort(key=lambda d: (d.deadline, d.unit.path))
    if may_somewhere(user, Action.APPROVE):
        work.to_approve = [
            s
            for s in Submission.objects.filter(state=Submission.State.SUBMITTED)
            .select_related("unit", "period__definition")
            .filter(municipality_id__in=user_municipality_ids(user))
            if can(user, Action.APPROVE, s.unit)
        ]
    # Quality findings for the units the person answers for and those directly below them: a
    # controller at KF sees the nämnder's, each chef their own (the whole list: `styr lint`).
    grants = role_grants(user)
    for grant in grants:
        work.units.setdefault(grant.unit, []).append(grant.get_role_display())
    answers_for = (
        [(g.unit.path, g.unit.depth) for g in grants] if not user.is_superuser else [("", -1)]
    )
    lint_units = [
        u
        for u in report_units
        if any(u.path.startswith(path) and u.depth <= depth + 1 for path, depth in answers_for)
    ]
    linted = {u.municipality_id for u in lint_units}
    # A person's units are in the municipalities of their grants, read with them; several are
    # read again, in the database's order of names.
    mine = {g.municipality_id: g.municipality for g in grants}
    if len(linted) == 1 and linted <= mine.keys():
        municipalities = [mine[next(iter(linted))]]
    else:
        municipalities = Municipality.objects.filter(pk__in=linted) if linted else []
    for municipality in municipalities:
        work.findings += plan_lint(
            municipality=municipality,
            year=today.year,
            today=today,
            units=[u for u in lint_units if u.municipality_id == municipality.pk],
            periods=[
                p
                for p in open_periods
                if p.municipality_id == municipality.pk and p.year == today.year
            ],
        )
    work.errors = sum(1 for f in work.findings if f.severity == ERROR)
    return work


# --- Röda tråden -------------------------------------------------------------------------------
#
# At the size of a large city the målkedja has tens of thousands of goals, so the page shows the top
# of it and each node's branch is read when a person opens it. The number of queries of each read
# does not depend on the number of goals (with a filter, only on the number of levels of the chain).


@dataclass
class Node:
    goal: Goal
    assessment: Assessment | None
    has_branch: bool = False  # goals below it or activities, to be read when it is opened
    children: list["Node"] | None = None  # None until the branch is read
    activities: list[Activity] = field(default_factory=list)


@dataclass
class RedThreadScope:
    """The goals a person may see in force during a year; with a filter, only the goals that match
    it and the chain above them (`wanted`), so the röda tråd down to every match stays whole."""

    goals: QuerySet[Goal]
    wanted: set[int] | None = None

    def keeps(self, pk: int) -> bool:
        return self.wanted is None or pk in self.wanted


def red_thread_scope(
    *, user, municipality_id: int, year: int, unit=None, focus_area=None
) -> RedThreadScope:
    goals = visible_to(user, Goal.objects.filter(municipality_id=municipality_id).in_force(year))
    if unit is None and focus_area is None:
        return RedThreadScope(goals)
    matches = goals
    if unit is not None:
        matches = matches.filter(unit__path__startswith=unit.path)
    if focus_area is not None:
        matches = matches.filter(focus_areas=focus_area)
    wanted = set(matches.values_list("pk", flat=True))
    # The chain above the matches, one level at a time through the goals in scope: two small
    # queries per level of the målkedja, however many goals match.
    parents = GoalLink.objects.filter(goal__in=matches.values("pk"))
    while True:
        found = set(parents.values_list("parent_id", flat=True)) - wanted
        found = set(goals.filter(pk__in=found).values_list("pk", flat=True)) if found else set()
        if not found:
            break
        wanted |= found
        parents = GoalLink.objects.filter(goal_id__in=found)
    return RedThreadScope(goals, wanted)


def _nodes(scope: RedThreadScope, goals: list[Goal]) -> list[Node]:
    """Nodes for the goals, each with its latest assessment and whether it has a branch."""
    goals = [g for g in goals if scope.keeps(g.pk)]
    ids = [g.pk for g in goals]
    assessments = latest_assessments(ids)
    with_children = {
        parent
        for parent, child in GoalLink.objects.filter(
            parent_id__in=ids, goal_id__in=scope.goals.values("pk")
        ).values_list("parent_id", "goal_id")
        if scope.keeps(child)
    }
    with_activities = set(
        ActivityGoal.objects.filter(goal_id__in=ids).values_list("goal_id", flat=True).distinct()
    )
    return [
        Node(g, assessments.get(g.pk), g.pk in with_children or g.pk in with_activities)
        for g in goals
    ]


def _ordered(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    return goals.select_related("level", "unit").order_by("level__order", "code")


def red_thread(*, scope: RedThreadScope) -> list[Node]:
    """The top of the målkedja: the goals with no parent in scope, each with the goals directly
    below it (whose own branches are read when opened)."""
    has_parent = GoalLink.objects.filter(goal_id=OuterRef("pk"), parent_id__in=scope.goals)
    roots = _nodes(scope, list(_ordered(scope.goals.filter(~Exists(has_parent)))))
    below: dict[int, list[Goal]] = {}
    children = _ordered(
        scope.goals.filter(parent_links__parent_id__in=[n.goal.pk for n in roots])
    ).annotate(parent_pk=F("parent_links__parent_id"))
    for child in children:
        below.setdefault(child.parent_pk, []).append(child)
    child_nodes = iter(_nodes(scope, [g for n in roots for g in below.get(n.goal.pk, [])]))
    activities = _activities_of([n.goal.pk for n in roots if n.has_branch])
    for root in roots:
        root.children = [
            next(child_nodes) for g in below.get(root.goal.pk, []) if scope.keeps(g.pk)
        ]
        root.activities = activities.get(root.goal.pk, [])
    return roots


def _activities_of(goal_ids: list[int]) -> dict[int, list[Activity]]:
    found: dict[int, list[Activity]] = {}
    rows = (
        Activity.objects.filter(goals__in=goal_ids)
        .annotate(goal_pk=F("goals__pk"))
        .order_by("end", "code")
    )
    for activity in rows:
        found.setdefault(activity.goal_pk, []).append(activity)
    return found


def red_thread_branch(*, scope: RedThreadScope, goal: Goal) -> Node:
    """One node's branch: the goals directly below it in scope, and its activities."""
    node = Node(goal, None, True)
    node.children = _nodes(scope, list(_ordered(scope.goals.filter(parent_links__parent=goal))))
    node.activities = _activities_of([goal.pk]).get(goal.pk, [])
    return node


# --- A unit's follow-up ------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: dict[str, Measurement]
    forecast: Forecast | None


def followup_indicator_row(*, indicator: Indicator, period: ReportingPeriod) -> IndicatorRow:
    """One row of the follow-up screen, read as followup_rows reads it, for the row an htmx save
    draws again."""
    values, forecasts = _indicator_figures(indicator.municipality_id, period, [indicator])
    return IndicatorRow(indicator, values.get(indicator.pk, {}), forecasts.get(indicator.pk))


def followup_activity_item(*, activity: Activity, period: ReportingPeriod) -> tuple:
    """One activity of the follow-up screen with its report in the period, as followup_rows."""
    reports = _activity_reports(activity.municipality_id, period, [activity])
    return activity, reports.get(activity.pk)


def followup_goal_item(*, goal: Goal, period: ReportingPeriod) -> tuple:
    """One goal of the follow-up screen with its assessment in the period, as followup_rows."""
    return goal, _assessments(goal.municipality_id, period, [goal]).get(goal.pk)


# What followup_rows reads for its rows, one query per kind; each read names the municipality
# first, as the unique indexes do.


def _indicator_figures(municipality_id, period, indicators) -> tuple[dict, dict]:
    """The outcomes per indicator and gender, and the forecast per indicator."""
    values: dict[int, dict[str, Measurement]] = {}
    for m in Measurement.objects.filter(
        municipality_id=municipality_id, period=period, indicator__in=indicators
    ):
        values.setdefault(m.indicator_id, {})[m.gender] = m
    forecasts = {
        f.indicator_id: f
        for f in Forecast.objects.filter(
            municipality_id=municipality_id, period=period, indicator__in=indicators
        )
    }
    return values, forecasts


def _activity_reports(municipality_id, period, activities) -> dict[int, ActivityReport]:
    return {
        r.activity_id: r
        for r in ActivityReport.objects.filter(
            municipality_id=municipality_id, period=period, activity__in=activities
        ).select_related("status")
    }


def _assessments(municipality_id, period, goals) -> dict[int, Assessment]:
    return {
        a.goal_id: a
        for a in Assessment.objects.filter(
            municipality_id=municipality_id, period=period, goal__in=goals
        )
        .select_related("value", "suggested_value")
        .prefetch_related("corrective_actions")
    }


@dataclass
class IndicatorGroup:
    """The indicators of a follow-up screen under one perspective (None: those without one)."""

    focus_area: FocusArea | None
    rows: list[IndicatorRow]


def _indicator_groups(rows: list[IndicatorRow]) -> list[IndicatorGroup]:
    """The rows under their focus areas (e.g. Svenljunga's perspectives verksamhet, personal,
    ekonomi) in the model's order, those without one last; one group when none has one."""
    if not any(r.indicator.focus_area_id for r in rows):
        return [IndicatorGroup(None, rows)] if rows else []
    groups: dict[int | None, IndicatorGroup] = {}
    for row in rows:
        area = row.indicator.focus_area
        groups.setdefault(area.pk if area else None, IndicatorGroup(area, [])).rows.append(row)
    return sorted(
        groups.values(),
        key=lambda g: (g.focus_area is None, g.focus_area.order if g.focus_area else 0),
    )


def followup_rows(*, unit: OrgUnit, period: ReportingPeriod) -> dict:
    """What the unit reports in the period: the indicators whose subject the period follows up
    (ordinary indicators, personnel key figures) grouped by perspective, the activities and the
    goals — each only when the period follows it up."""
    follows_up = period.definition.follows_up
    owned = Indicator.objects.filter(unit=unit)
    indicators = list(owned.followed_up_in(period).select_related("focus_area").order_by("code"))
    not_followed_up = not indicators and owned.exists()
    municipality_id = unit.municipality_id
    by_indicator, forecasts = _indicator_figures(municipality_id, period, indicators)
    activities = list(
        Activity.objects.filter(
            unit=unit, start__lte=period.ends_on, end__gte=datetime.date(period.year, 1, 1)
        ).order_by("end", "code")
        if "activities" in follows_up
        else []
    )
    statuses = _activity_reports(municipality_id, period, activities)
    goals = list(
        Goal.objects.filter(unit=unit)
        .in_force(period.year)
        .select_related("level")
        .order_by("level__order", "code")
        if "goals" in follows_up
        else []
    )
    assessments = _assessments(municipality_id, period, goals)
    rows = [IndicatorRow(i, by_indicator.get(i.pk, {}), forecasts.get(i.pk)) for i in indicators]
    return {
        "indicators": rows,
        "indicator_groups": _indicator_groups(rows),
        "indicators_not_followed_up": not_followed_up,
        "activities": [(a, statuses.get(a.pk)) for a in activities],
        "goals": [(g, assessments.get(g.pk)) for g in goals],
        "follows_up": {subject: True for subject in follows_up},
    }
