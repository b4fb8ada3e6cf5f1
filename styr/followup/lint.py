"""Quality checks of a year's plan and follow-up against the model's rules (the röda tråd).

`plan_lint` returns every finding for a municipality and year, each with a severity, the unit it
belongs to and a Swedish message. It runs as a fixed set of queries, whatever the plan's size, so
the whole of a large municipality is checked in one go. The interface and `styr lint` read the same
list.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styr.governance.models import GoalLevel, GoalLevelParent
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

from .models import Assessment, ReportingPeriod

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: gettext_lazy("error"), WARNING: gettext_lazy("warning")}

# Indicators about people should be split by women and men; these words give them away.
PEOPLE = re.compile(
    r"\b(elev|elever|barn|unga|ungdomar|invånare|brukare|anhöriga|boende|medarbetare|anställda|"
    r"personal|personer|deltagare|kunder|patienter|vuxna|äldre|sökande|hushåll|medborgare|"
    r"flickor|pojkar|kvinnor|män|hemtjänsttagare|studerande|besökare)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    severity: str
    kind: str
    unit: OrgUnit
    subject: str
    message: str

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])


def plan_lint(
    *,
    municipality: Municipality,
    year: int,
    today: datetime.date | None = None,
    unit_ids: list[int] | None = None,
    units: list[OrgUnit] | None = None,
    periods: list[ReportingPeriod] | None = None,
    assessed: set[tuple[int, int]] | None = None,
    goals: list[tuple[int, str, str, int, int]] | None = None,
) -> list[Finding]:
    """Every finding for the year; with `unit_ids`, only those belonging to these units. A caller
    that has read them already may give the units instead (with their types), the
    municipality's open periods of the year (with their definitions), and with those periods the
    (goal, period) keys of the assessments in them, for at least the goals of the units; with
    the units, also the goals in force in the year among them, as (pk, code, title, unit_id,
    level_id)."""
    today = today or datetime.date.today()
    if units is not None:
        unit_ids = [u.pk for u in units]
    checker = _Lint(municipality, year, today, unit_ids, units, periods, assessed, goals)
    checker.run()
    return sorted(
        checker.findings,
        key=lambda f: (f.unit.path, f.severity != ERROR, f.kind, f.subject),
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """A goal, indicator or activity as the checks need it."""

    pk: int
    code: str
    title: str
    unit: OrgUnit
    level: GoalLevel | None = None
    gender_split: bool = False
    responsible: str = ""

    @property
    def name(self) -> str:
        return self.title


class _Lint:
    def __init__(
        self,
        municipality: Municipality,
        year: int,
        today: datetime.date,
        unit_ids: list[int] | None = None,
        units: list[OrgUnit] | None = None,
        periods: list[ReportingPeriod] | None = None,
        assessed: set[tuple[int, int]] | None = None,
        goals: list[tuple[int, str, str, int, int]] | None = None,
    ):
        self.given_units = units
        self.given_goals = goals if units is not None else None
        self.given_periods = periods
        self.given_assessed = assessed if periods is not None else None
        self.municipality = municipality
        self.year = year
        self.today = today
        self.scope = {} if unit_ids is None else {"unit_id__in": unit_ids}
        self.findings: list[Finding] = []

    def add(self, severity: str, kind: str, unit: OrgUnit, subject: str, message: str) -> None:
        self.findings.append(Finding(severity, kind, unit, subject, message))

    def run(self) -> None:
        m = self.municipality
        # Plain rows, not model instances: a large municipality has tens of thousands of each.
        units = self.given_units
        if units is None:
            units = OrgUnit.objects.filter(municipality=m).select_related("type")
            if self.scope:
                units = units.filter(pk__in=self.scope["unit_id__in"])
        self.units = {u.pk: u for u in units}
        # Whether goals at a level are broken down further, read with the levels.
        levels = GoalLevel.objects.filter(municipality=m).annotate(
            is_parent=Exists(GoalLevelParent.objects.filter(municipality=m, parent=OuterRef("pk")))
        )
        self.levels = {lvl.pk: lvl for lvl in levels}
        # (Order does not matter: the findings are sorted at the end, by keys that tell them apart.)
        in_force = Goal.objects.filter(municipality=m, **self.scope).in_force(self.year).order_by()
        rows = self.given_goals
        if rows is None:
            rows = in_force.values_list("pk", "code", "title", "unit_id", "level_id")
        self.goals = [
            _Row(pk, code, title, self.units[unit_id], self.levels[level_id])
            for pk, code, title, unit_id, level_id in rows
        ]
        # A person's few units: the goals just read by their keys. The whole municipality: by a
        # subquery, not tens of thousands of keys in the query.
        in_force_ids = [g.pk for g in self.goals] if self.scope else in_force.values("pk")
        # The links to and from the goals in one read.
        ids = {g.pk for g in self.goals}
        self.parents, self.children = Counter(), Counter()
        for goal_id, parent_id in GoalLink.objects.filter(
            Q(goal__in=in_force_ids) | Q(parent__in=in_force_ids), municipality=m
        ).values_list("goal_id", "parent_id"):
            if goal_id in ids:
                self.parents[goal_id] += 1
            if parent_id in ids:
                self.children[parent_id] += 1
        links = list(
            IndicatorGoal.objects.filter(municipality=m, goal__in=in_force_ids).values_list(
                "goal_id", "indicator_id"
            )
        )
        self.indicators_per_goal = Counter(goal_id for goal_id, _i in links)
        self.levels_of_indicator: dict[int, set[int]] = {}
        level_of_goal = {g.pk: g.level.pk for g in self.goals}
        for goal_id, indicator_id in links:
            self.levels_of_indicator.setdefault(indicator_id, set()).add(level_of_goal[goal_id])
        self.parent_levels = {lvl.pk for lvl in self.levels.values() if lvl.is_parent}
        self._goals()
        self._indicators()
        self._activities()
        self._deadlines()

    def _goals(self) -> None:
        for goal in self.goals:
            level = goal.level
            if level.parent_required and not self.parents[goal.pk]:
                self.add(
                    ERROR,
                    "missing_parent",
                    goal.unit,
                    goal.code,
                    _("%(level)s “%(title)s” is not linked to a parent goal (the röda tråd).")
                    % {"level": level.name, "title": goal.title},
                )
            if level.pk in self.parent_levels and not self.children[goal.pk]:
                self.add(
                    WARNING,
                    "not_broken_down",
                    goal.unit,
                    goal.code,
                    _("%(level)s “%(title)s” has not been broken down by any unit below.")
                    % {"level": level.name, "title": goal.title},
                )
            count = self.indicators_per_goal[goal.pk]
            if count == 0 and not self.children[goal.pk]:
                self.add(
                    WARNING,
                    "no_indicators",
                    goal.unit,
                    goal.code,
                    _("“%(title)s” has no indicators and no goals below it to be followed up by.")
                    % {"title": goal.title},
                )
            if level.max_indicators is not None and count > level.max_indicators:
                self.add(
                    ERROR,
                    "too_many_indicators",
                    goal.unit,
                    goal.code,
                    _("“%(title)s” has %(count)s indicators; a %(level)s may have at most %(max)s.")
                    % {
                        "title": goal.title,
                        "count": count,
                        "level": level.name,
                        "max": level.max_indicators,
                    },
                )

    def _indicators(self) -> None:
        m = self.municipality
        indicators = [
            _Row(pk, code, name, self.units[unit_id], None, gender_split)
            for pk, code, name, unit_id, gender_split in Indicator.objects.filter(
                municipality=m, kind=Indicator.Kind.INDICATOR, **self.scope
            )
            .order_by()
            .values_list("pk", "code", "name", "unit_id", "gender_split")
        ]
        targets = Target.objects.filter(municipality=m).order_by()
        if self.scope:
            # Mitt uppdrag lints a person's units on every visit: read only their targets.
            targets = targets.filter(indicator_id__in=[i.pk for i in indicators])
        targets = list(targets.values_list("indicator_id", "kind", "year", "change"))
        annual = {
            i for i, kind, year, _c in targets if kind == Target.Kind.ANNUAL and year == self.year
        }
        change_only = {
            i
            for i, kind, year, change in targets
            if kind == Target.Kind.ANNUAL and year == self.year and change
        }
        baseline = {
            i for i, kind, year, _c in targets if kind == Target.Kind.BASELINE and year <= self.year
        }
        milestone = {i for i, kind, _y, _c in targets if kind == Target.Kind.MILESTONE}
        for indicator in indicators:
            levels = [self.levels[pk] for pk in self.levels_of_indicator.get(indicator.pk, ())]
            if indicator.pk not in annual:
                self.add(
                    WARNING,
                    "no_target",
                    indicator.unit,
                    indicator.code,
                    _("“%(name)s” has no årsmål for %(year)s.")
                    % {"name": indicator.name, "year": self.year},
                )
            if indicator.pk in change_only and indicator.pk not in baseline:
                strict = any(lvl.change_target_needs_baseline for lvl in levels)
                self.add(
                    ERROR if strict else WARNING,
                    "change_without_baseline",
                    indicator.unit,
                    indicator.code,
                    _("“%(name)s” only says increase or decrease, with no target or baseline.")
                    % {"name": indicator.name},
                )
            needs_milestones = [lvl for lvl in levels if lvl.indicators_need_milestones]
            if needs_milestones and indicator.pk not in milestone:
                self.add(
                    ERROR,
                    "no_milestones",
                    indicator.unit,
                    indicator.code,
                    _("“%(name)s” needs etappmål at the level %(level)s.")
                    % {"name": indicator.name, "level": needs_milestones[0].name},
                )
            if not indicator.gender_split and PEOPLE.search(indicator.name):
                self.add(
                    WARNING,
                    "no_gender_split",
                    indicator.unit,
                    indicator.code,
                    _("“%(name)s” is about people but is not split by women and men.")
                    % {"name": indicator.name},
                )

    def _activities(self) -> None:
        first, last = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        in_year = Activity.objects.filter(
            municipality=self.municipality, start__lte=last, end__gte=first, **self.scope
        ).order_by()
        # Whether each is linked to a goal, read with the activities.
        linked_to_goal = Exists(
            ActivityGoal.objects.filter(municipality=self.municipality, activity=OuterRef("pk"))
        )
        for code, title, unit_id, responsible, linked in in_year.values_list(
            "code", "title", "unit_id", "responsible", linked_to_goal
        ):
            unit = self.units[unit_id]
            if not responsible.strip():
                self.add(
                    ERROR,
                    "activity_without_responsible",
                    unit,
                    code,
                    _("The activity “%(title)s” has no responsible person.") % {"title": title},
                )
            if not linked:
                self.add(
                    WARNING,
                    "activity_without_goal",
                    unit,
                    code,
                    _("The activity “%(title)s” is not linked to any goal.") % {"title": title},
                )

    def _deadlines(self) -> None:
        periods = self.given_periods
        if periods is None:
            periods = ReportingPeriod.objects.filter(
                municipality=self.municipality, year=self.year, state=ReportingPeriod.State.OPEN
            ).select_related("definition")
        goals_by_unit: dict[int, list[Goal]] = {}
        for goal in self.goals:
            goals_by_unit.setdefault(goal.unit.pk, []).append(goal)
        periods = [p for p in periods if "goals" in p.definition.follows_up]
        assessed_in: dict[int, set[int]] = {p.pk: set() for p in periods}
        if self.given_assessed is not None:
            rows = [key for key in self.given_assessed if key[1] in assessed_in]
        else:
            # One read for all the open periods, not one per period.
            rows = Assessment.objects.filter(municipality=self.municipality, period__in=periods)
            if self.scope:
                rows = rows.filter(goal_id__in=[g.pk for g in self.goals])
            rows = rows.values_list("goal_id", "period_id")
        for goal_id, period_id in rows:
            assessed_in[period_id].add(goal_id)
        for period in periods:
            assessed = assessed_in[period.pk]
            for goals in goals_by_unit.values():
                unit = goals[0].unit
                deadline = period.deadline_for(unit.type.key) if unit.type_id else None
                if deadline is None or deadline >= self.today:
                    continue
                missing = [g for g in goals if g.pk not in assessed]
                if missing:
                    self.add(
                        WARNING,
                        "missed_deadline",
                        unit,
                        period.name,
                        _(
                            "%(period)s: %(count)s goal(s) not assessed; the deadline was "
                            "%(deadline)s."
                        )
                        % {"period": period.name, "count": len(missing), "deadline": deadline},
                    )
