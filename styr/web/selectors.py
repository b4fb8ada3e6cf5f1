"""Reads for the pages: each composes the domain selectors and the permission policy, with a
fixed number of queries whatever the size of the municipality."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from styr.access.policy import Action, can, visible_to
from styr.followup.lint import ERROR, plan_lint
from styr.followup.models import (
    ActivityReport,
    Assessment,
    Forecast,
    Measurement,
    ReportingPeriod,
)
from styr.organisation.models import Municipality, OrgUnit, RoleGrant
from styr.planning.models import Activity, Goal, GoalLink, Indicator
from styr.workflow.models import Submission


def user_municipality_ids(user) -> list[int]:
    if user.is_superuser:
        return list(OrgUnit.objects.filter(depth=0).values_list("municipality_id", flat=True))
    return sorted(
        set(RoleGrant.objects.filter(user=user).values_list("municipality_id", flat=True))
    )


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
    errors: int = 0


def my_work(*, user, today: datetime.date) -> MyWork:
    """What the person must do now, in a fixed number of queries per municipality."""
    work = MyWork()
    with_goals = OrgUnit.objects.filter(goals__isnull=False).distinct().select_related("type")
    report_units = [
        u
        for u in visible_to(user, with_goals, unit_field=None).order_by("path")
        if can(user, Action.REPORT, u)
    ][:50]
    periods = [
        p
        for p in ReportingPeriod.objects.filter(
            state=ReportingPeriod.State.OPEN,
            municipality_id__in={u.municipality_id for u in report_units},
        ).select_related("definition")
        if p.ends_on <= today + datetime.timedelta(days=31) and "goals" in p.definition.follows_up
    ]
    goals = list(
        Goal.objects.filter(unit__in=report_units)
        .exclude(status=Goal.Status.DRAFT)
        .values_list("pk", "unit_id", "valid_from", "valid_to")
    )
    assessed = set(
        Assessment.objects.filter(
            period__in=periods, goal_id__in=[g[0] for g in goals]
        ).values_list("goal_id", "period_id")
    )
    states = dict(
        ((unit_id, period_id), state)
        for unit_id, period_id, state in Submission.objects.filter(
            unit__in=report_units, period__in=periods
        ).values_list("unit_id", "period_id", "state")
    )
    for unit in report_units:
        for period in periods:
            deadline = period.deadline_for(unit.type.key)
            if period.municipality_id != unit.municipality_id or deadline is None:
                continue
            start, end = datetime.date(period.year, 1, 1), datetime.date(period.year, 12, 31)
            missing = sum(
                1
                for pk, unit_id, valid_from, valid_to in goals
                if unit_id == unit.pk
                and valid_from <= end
                and (valid_to is None or valid_to >= start)
                and (pk, period.pk) not in assessed
            )
            state = states.get((unit.pk, period.pk), Submission.State.DRAFT)
            work.duties.append(Duty(unit, period, deadline, missing, state))
    work.duties.sort(key=lambda d: (d.deadline, d.unit.path))
    work.to_approve = [
        s
        for s in Submission.objects.filter(state=Submission.State.SUBMITTED)
        .select_related("unit", "period__definition")
        .filter(municipality_id__in=user_municipality_ids(user))
        if can(user, Action.APPROVE, s.unit)
    ]
    for municipality in Municipality.objects.filter(
        pk__in={u.municipality_id for u in report_units}
    ):
        work.findings += plan_lint(
            municipality=municipality,
            year=today.year,
            today=today,
            unit_ids=[u.pk for u in report_units if u.municipality_id == municipality.pk],
        )
    work.errors = sum(1 for f in work.findings if f.severity == ERROR)
    return work


# --- Röda tråden -------------------------------------------------------------------------------


@dataclass
class Node:
    goal: Goal
    assessment: Assessment | None
    children: list["Node"] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)


def red_thread(*, user, municipality_id: int, year: int, unit=None, focus_area=None) -> list[Node]:
    """The målkedja as a forest: the top goals, each with the goals below it and its activities."""
    goals = visible_to(
        user,
        Goal.objects.filter(municipality_id=municipality_id)
        .in_force(year)
        .select_related("level", "unit"),
    )
    goals = {g.pk: g for g in goals.order_by("level__order", "code")}
    links = list(
        GoalLink.objects.filter(goal_id__in=goals, parent_id__in=goals).values_list(
            "goal_id", "parent_id"
        )
    )
    assessments = latest_assessments(goals)
    nodes = {pk: Node(goal, assessments.get(pk)) for pk, goal in goals.items()}
    has_parent = set()
    for child, parent in links:
        nodes[parent].children.append(nodes[child])
        has_parent.add(child)
    activities = Activity.objects.filter(goals__in=goals).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.only("pk"))
    )
    for activity in activities.distinct():
        for goal in activity.goals.all():
            if goal.pk in nodes:
                nodes[goal.pk].activities.append(activity)
    keep = set(goals)
    if unit is not None:
        keep = {pk for pk, g in goals.items() if g.unit.path.startswith(unit.path)}
    if focus_area is not None:
        keep &= set(
            Goal.objects.filter(pk__in=keep, focus_areas=focus_area).values_list("pk", flat=True)
        )
    if keep != set(goals):
        # Keep the chain above every goal that matches, so the röda tråd stays whole.
        parents_of: dict[int, list[int]] = {}
        for child, parent in links:
            parents_of.setdefault(child, []).append(parent)
        wanted, stack = set(), list(keep)
        while stack:
            pk = stack.pop()
            if pk not in wanted:
                wanted.add(pk)
                stack.extend(parents_of.get(pk, []))
        for node in nodes.values():
            node.children = [c for c in node.children if c.goal.pk in wanted]
        roots = [n for pk, n in nodes.items() if pk not in has_parent and pk in wanted]
    else:
        roots = [n for pk, n in nodes.items() if pk not in has_parent]
    return roots


# --- A unit's follow-up ------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: dict[str, Measurement]
    forecast: Forecast | None


def followup_rows(*, unit: OrgUnit, period: ReportingPeriod) -> dict:
    indicators = list(Indicator.objects.filter(unit=unit).order_by("code"))
    measurements = Measurement.objects.filter(period=period, indicator__in=indicators)
    by_indicator: dict[int, dict[str, Measurement]] = {}
    for m in measurements:
        by_indicator.setdefault(m.indicator_id, {})[m.gender] = m
    forecasts = {
        f.indicator_id: f for f in Forecast.objects.filter(period=period, indicator__in=indicators)
    }
    activities = list(
        Activity.objects.filter(
            unit=unit, start__lte=period.ends_on, end__gte=datetime.date(period.year, 1, 1)
        ).order_by("end", "code")
    )
    statuses = {
        r.activity_id: r
        for r in ActivityReport.objects.filter(
            period=period, activity__in=activities
        ).select_related("status")
    }
    goals = list(
        Goal.objects.filter(unit=unit)
        .in_force(period.year)
        .select_related("level")
        .order_by("level__order", "code")
    )
    assessments = {
        a.goal_id: a
        for a in Assessment.objects.filter(period=period, goal__in=goals).select_related("value")
    }
    return {
        "indicators": [
            IndicatorRow(i, by_indicator.get(i.pk, {}), forecasts.get(i.pk)) for i in indicators
        ],
        "activities": [(a, statuses.get(a.pk)) for a in activities],
        "goals": [(g, assessments.get(g.pk)) for g in goals],
    }
