"""Reads for the pages: each composes the domain selectors and the permission policy, with a
fixed number of queries whatever the size of the municipality."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styr.access.policy import Action, can, may_somewhere, role_grants, units_where, visible_to
from styr.followup.lint import ERROR, plan_lint
from styr.followup.models import (
    ActivityReport,
    Assessment,
    CorrectiveAction,
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

    @property
    def asks(self) -> str:
        """For a period that does not follow up goals, what the unit reports in it, in words
        ("Ekonomi och personalnyckeltal"); empty for a goal period."""
        follows_up = self.period.definition.follows_up
        return "" if "goals" in follows_up else _asks(follows_up)

    @property
    def on_economy_page(self) -> bool:
        """Reported on the economy page (a budget-only period) rather than the follow-up screen."""
        follows_up = self.period.definition.follows_up
        return bool(self.asks) and not {"indicators", "activities", "personnel"} & set(follows_up)


# What a unit reports in a period that does not follow up goals, as the styrmodell names it.
REPORTED_WITHOUT_GOALS = {
    "indicators": gettext_lazy("indicators"),
    "activities": gettext_lazy("activities"),
    "budget": gettext_lazy("economy"),
    "personnel": gettext_lazy("personnel key figures"),
}


def _asks(follows_up: list[str]) -> str:
    words = [str(REPORTED_WITHOUT_GOALS[s]) for s in follows_up if s in REPORTED_WITHOUT_GOALS]
    text = get_text_list(words, _("and"))
    return text[:1].upper() + text[1:]


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
    # Periods without goals that ask for what a unit reports on the economy page or the follow-up
    # screen, e.g. Svenljunga's Månadsrapport (budget and personnel).
    other_periods = [
        p
        for p in open_periods
        if p.ends_on <= today + datetime.timedelta(days=31)
        and "goals" not in p.definition.follows_up
        and any(s in REPORTED_WITHOUT_GOALS for s in p.definition.follows_up)
    ]
    # Those pages let a person report for every unit they may report for, goals or not, so
    # these periods go to all of them (the first 50); the period's deadlines by unit type, below,
    # say which it applies to. One query more, only when there are such periods: each unit comes
    # with its hand-in of each of them.
    other_units = []
    if other_periods:
        hand_ins = {
            f"state_{p.pk}": Subquery(
                Submission.objects.filter(unit=OuterRef("pk"), period=p).values("state")[:1]
            )
            for p in other_periods
        }
        other_units = list(
            units_where(user, Action.REPORT, OrgUnit.objects.select_related("type"))
            .annotate(**hand_ins)
            .order_by("path")[:50]
        )
    goals = list(
        Goal.objects.filter(unit__in=report_units)
        .exclude(status=Goal.Status.DRAFT)
        .order_by()
        .values_list("pk", "unit_id", "valid_from", "valid_to", "code", "title", "level_id")
    )
    # The open periods of this year that follow up goals are linted below: their assessments
    # are read here with those of the periods due.
    linted_periods = [
        p for p in open_periods if p.year == today.year and "goals" in p.definition.follows_up
    ]
    assessed = set()
    if goals and (periods or linted_periods):
        assessed = set(
            Assessment.objects.filter(
                period__in={*periods, *linted_periods}, goal_id__in=[row[0] for row in goals]
            ).values_list("goal_id", "period_id")
        )
    states = dict(
        ((unit_id, period_id), state)
        for unit_id, period_id, state in Submission.objects.filter(
            unit__in=report_units, period__in=periods
        )
        .order_by()
        .values_list("unit_id", "period_id", "state")
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
                for pk, _unit_id, valid_from, valid_to, *_rest in goals_of.get(unit.pk, ())
                if valid_from <= end
                and (valid_to is None or valid_to >= start)
                and (pk, period.pk) not in assessed
            )
            state = states.get((unit.pk, period.pk), Submission.State.DRAFT)
            work.duties.append(Duty(unit, period, deadline, missing, state))
    for unit in other_units:
        for period in other_periods:
            deadline = period.deadline_for(unit.type.key)
            if period.municipality_id != unit.municipality_id or deadline is None:
                continue
            state = getattr(unit, f"state_{period.pk}") or Submission.State.DRAFT
            work.duties.append(Duty(unit, period, deadline, 0, state))
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
    # The lint's goals are those just read that are in force this year (no drafts among them).
    first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    in_force = [
        (pk, code, title, unit_id, level_id)
        for pk, unit_id, valid_from, valid_to, code, title, level_id in goals
        if valid_from <= last and (valid_to is None or valid_to >= first)
    ]
    for municipality in municipalities:
        units = [u for u in lint_units if u.municipality_id == municipality.pk]
        unit_ids = {u.pk for u in units}
        work.findings += plan_lint(
            municipality=municipality,
            year=today.year,
            today=today,
            units=units,
            periods=[
                p
                for p in open_periods
                if p.municipality_id == municipality.pk and p.year == today.year
            ],
            assessed=assessed,
            goals=[row for row in in_force if row[3] in unit_ids],
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


@dataclass(frozen=True, slots=True)
class Figure:
    """An outcome or a forecast as the follow-up screen shows and sends it back: the value, the
    version a save checks for conflicts, and (a forecast's) comment."""

    value: Decimal | None
    version: int
    comment: str = ""


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """An activity's reported status in a period as the follow-up screen shows it."""

    status_id: int
    comment: str


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: dict[str, Figure | Measurement]  # per gender
    forecast: Figure | Forecast | None


def followup_indicator_row(*, indicator: Indicator, period: ReportingPeriod) -> IndicatorRow:
    """One row of the follow-up screen, read as followup_rows reads it, for the row an htmx save
    draws again."""
    values, forecasts = _indicator_figures(indicator.municipality_id, period, [indicator.pk])
    return IndicatorRow(indicator, values.get(indicator.pk, {}), forecasts.get(indicator.pk))


def followup_activity_item(*, activity: Activity, period: ReportingPeriod) -> tuple:
    """One activity of the follow-up screen with its report in the period, as followup_rows."""
    entry = (
        ActivityReport.objects.filter(
            municipality_id=activity.municipality_id, period=period, activity=activity
        )
        .values_list("status_id", "comment")
        .first()
    )
    return activity, _status_entry(*entry) if entry else None


def followup_goal_item(*, goal: Goal, period: ReportingPeriod) -> tuple:
    """One goal of the follow-up screen with its assessment in the period, as followup_rows."""
    return goal, _assessments(goal.municipality_id, period, [goal.pk]).get(goal.pk)


# What followup_rows reads for its rows, one query per kind, as plain rows where the screen
# needs no more; each read names the municipality first, as the unique indexes do.


def _indicator_figures(municipality_id, period, indicator_ids) -> tuple[dict, dict]:
    """The outcomes per indicator and gender, and the forecast per indicator."""
    values: dict[int, dict[str, Figure]] = {}
    if not indicator_ids:
        return values, {}
    for indicator_id, gender, value, version in Measurement.objects.filter(
        municipality_id=municipality_id, period=period, indicator_id__in=indicator_ids
    ).values_list("indicator_id", "gender", "value", "version"):
        values.setdefault(indicator_id, {})[gender] = Figure(value, version)
    forecasts = {
        indicator_id: Figure(value, version, comment)
        for indicator_id, value, version, comment in Forecast.objects.filter(
            municipality_id=municipality_id, period=period, indicator_id__in=indicator_ids
        ).values_list("indicator_id", "value", "version", "comment")
    }
    return values, forecasts


def _status_entry(status_id, comment) -> StatusEntry | None:
    return StatusEntry(status_id, comment) if status_id is not None else None


def _assessments(municipality_id, period, goal_ids) -> dict[int, Assessment]:
    """Model rows, as the form shows the first åtgärd through `corrective_actions`; without
    the fields the screen does not show."""
    if not goal_ids:
        return {}
    actions = CorrectiveAction.objects.only("assessment_id", "description", "responsible", "due_on")
    return {
        a.goal_id: a
        for a in Assessment.objects.filter(
            municipality_id=municipality_id, period=period, goal_id__in=goal_ids
        )
        .defer("created_at", "updated_at", "assessed_by", "suggestion_reasons")
        .prefetch_related(Prefetch("corrective_actions", actions))
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
    goals — each only when the period follows it up. Only the fields the screen shows."""
    follows_up = period.definition.follows_up
    owned = Indicator.objects.filter(unit=unit)
    indicators = list(
        owned.followed_up_in(period)
        .select_related("focus_area")
        .only(
            "municipality_id",
            "code",
            "name",
            "measure",
            "gender_split",
            "focus_area__name",
            "focus_area__order",
        )
        .order_by("code")
    )
    not_followed_up = not indicators and owned.exists()
    municipality_id = unit.municipality_id
    by_indicator, forecasts = _indicator_figures(
        municipality_id, period, [i.pk for i in indicators]
    )
    activities = []
    if "activities" in follows_up:
        # Each with its status in the period, read with it.
        activities = [
            (a, _status_entry(a.report_status, a.report_comment))
            for a in Activity.objects.filter(
                unit=unit, start__lte=period.ends_on, end__gte=datetime.date(period.year, 1, 1)
            )
            .annotate(
                report=FilteredRelation(
                    "reports",
                    condition=Q(reports__municipality_id=municipality_id, reports__period=period),
                ),
                report_status=F("report__status_id"),
                report_comment=F("report__comment"),
            )
            .only("municipality_id", "code", "title", "responsible", "start", "end")
            .order_by("end", "code")
        ]
    goals = []
    if "goals" in follows_up:
        goals = list(
            Goal.objects.filter(unit=unit)
            .in_force(period.year)
            .select_related("level")
            .only("municipality_id", "code", "title", "unit_id", "level__name", "level__order")
            .order_by("level__order", "code")
        )
    assessments = _assessments(municipality_id, period, [g.pk for g in goals])
    rows = [IndicatorRow(i, by_indicator.get(i.pk, {}), forecasts.get(i.pk)) for i in indicators]
    return {
        "indicators": rows,
        "indicator_groups": _indicator_groups(rows),
        "indicators_not_followed_up": not_followed_up,
        "activities": activities,
        "goals": [(g, assessments.get(g.pk)) for g in goals],
        "follows_up": {subject: True for subject in follows_up},
    }
