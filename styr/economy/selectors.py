"""Budget against forecast per account group, for a unit and for each unit below it.

The forecast for the year is the latest one reported up to the month, or the budget while none
is. The deviation is forecast − budget of the result (income − costs): below zero the unit is
heading for a result worse than its budget. A roll-up over a subtree reads the budget lines and
the forecasts of the whole subtree once, however many units it has."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from styr.organisation.models import PATH_SEPARATOR, OrgUnit
from styr.workflow.models import Submission

from .models import AccountGroup, ActionPlan, BudgetForecast, BudgetLine, EconomyRules

ZERO = Decimal(0)


@dataclass
class GroupFigures:
    account_group: AccountGroup
    budget: Decimal = ZERO
    outcome: Decimal = ZERO  # to date
    forecast: Decimal | None = None  # None: none reported, the budget stands
    comment: str = ""
    forecast_row: BudgetForecast | None = None  # reported this very month

    @property
    def sign(self) -> int:
        return 1 if self.account_group.kind == AccountGroup.Kind.INCOME else -1

    @property
    def forecast_or_budget(self) -> Decimal:
        return self.budget if self.forecast is None else self.forecast

    @property
    def deviation(self) -> Decimal:
        """Forecast − budget of the group as it acts on the result (more costs: negative)."""
        return self.sign * (self.forecast_or_budget - self.budget)


@dataclass
class Figures:
    """A unit's (or a subtree's) economy for the year at a month."""

    groups: list[GroupFigures] = field(default_factory=list)

    def _result(self, attribute: str) -> Decimal:
        return sum((g.sign * getattr(g, attribute) for g in self.groups), ZERO)

    @property
    def budget(self) -> Decimal:
        return self._result("budget")

    @property
    def outcome(self) -> Decimal:
        return self._result("outcome")

    @property
    def forecast(self) -> Decimal:
        return self._result("forecast_or_budget")

    @property
    def deviation(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def is_empty(self) -> bool:
        return not self.groups


@dataclass
class UnitFigures:
    unit: OrgUnit
    figures: Figures


def economy_rules(municipality_id: int) -> EconomyRules:
    rules = EconomyRules.objects.filter(municipality_id=municipality_id).first()
    return rules or EconomyRules(municipality_id=municipality_id, months=list(range(1, 13)))


def followup_months(municipality_id: int) -> list[int]:
    """The months in which every unit with a budget reports its forecast."""
    return sorted(economy_rules(municipality_id).months or range(1, 13))


def deviation_months(municipality_id: int) -> list[int]:
    """The months in which only the units heading for a worse result than the budget report."""
    return sorted(economy_rules(municipality_id).deviation_months or [])


def worse_paths(*, unit: OrgUnit, year: int, month: int, subtree: bool) -> set[str]:
    """The paths of the units (the unit, or each unit of its subtree) whose own forecast result
    as it stood at the end of `month` was worse than their budget. Two queries."""
    deviation: dict[str, Decimal] = defaultdict(Decimal)
    for (path, _group), item in _figures_by_path(unit, year, month, subtree=subtree).items():
        deviation[path] += item.deviation
    return {path for path, amount in deviation.items() if amount < 0}


def updated_forecast_due(*, unit: OrgUnit, year: int, month: int) -> bool:
    """Whether `month` is a deviation month in which this unit must report an updated forecast
    and åtgärdsplan: its latest forecast before the month was worse than its budget."""
    if month not in deviation_months(unit.municipality_id):
        return False
    return bool(worse_paths(unit=unit, year=year, month=month - 1, subtree=False))


def months_offered(*, unit: OrgUnit, year: int) -> list[tuple[int, bool]]:
    """(month, is a deviation month) for the unit's page: the model's months, and each deviation
    month in which the unit or a unit below it reports an updated forecast."""
    months = [(m, False) for m in followup_months(unit.municipality_id)]
    for month in deviation_months(unit.municipality_id):
        if worse_paths(unit=unit, year=year, month=month - 1, subtree=True):
            months.append((month, True))
    return sorted(months)


def _figures_by_path(unit: OrgUnit, year: int, month: int, *, subtree: bool):
    """{(unit path, account group id): GroupFigures}: two queries for the whole scope."""
    scope = Q(municipality_id=unit.municipality_id, year=year)
    scope &= Q(unit__path__startswith=unit.path) if subtree else Q(unit=unit)
    groups = {g.pk: g for g in AccountGroup.objects.filter(municipality_id=unit.municipality_id)}
    found: dict[tuple[str, int], GroupFigures] = {}

    def figures(path, group_id) -> GroupFigures:
        key = (path, group_id)
        if key not in found:
            found[key] = GroupFigures(groups[group_id])
        return found[key]

    lines = (
        BudgetLine.objects.filter(scope)
        .values("unit__path", "account_group_id")
        .annotate(
            budget=Sum("amount", filter=Q(kind=BudgetLine.Kind.BUDGET)),
            outcome=Sum("amount", filter=Q(kind=BudgetLine.Kind.OUTCOME, month__lte=month)),
        )
    )
    for row in lines:
        item = figures(row["unit__path"], row["account_group_id"])
        item.budget = row["budget"] or ZERO
        item.outcome = row["outcome"] or ZERO
    forecasts = (
        BudgetForecast.objects.filter(scope, month__lte=month)
        .select_related("unit")
        .order_by("month")
    )
    for row in forecasts:  # the latest month wins
        item = figures(row.unit.path, row.account_group_id)
        item.forecast, item.comment = row.forecast, row.comment
        item.forecast_row = row if row.month == month else None
    return found


def _ordered(groups) -> list[GroupFigures]:
    return sorted(groups, key=lambda g: (g.account_group.kind, g.account_group.code))


def unit_economy(*, unit: OrgUnit, year: int, month: int) -> Figures:
    """The unit's own budget, outcome to date and forecast per account group."""
    found = _figures_by_path(unit, year, month, subtree=False)
    return Figures(_ordered(found.values()))


def economy_below(*, unit: OrgUnit, year: int, month: int) -> tuple[Figures, list[UnitFigures]]:
    """The whole subtree summed per account group, and each unit directly below with its own
    subtree summed: what a controller reads as each nämnd's forecast against budget."""
    found = _figures_by_path(unit, year, month, subtree=True)
    children = list(OrgUnit.objects.filter(parent=unit).order_by("code"))
    by_path = {c.path: c for c in children}
    depth = unit.path.count(PATH_SEPARATOR)
    total: dict[int, GroupFigures] = {}
    per_child: dict[int, dict[int, GroupFigures]] = defaultdict(dict)
    for (path, group_id), item in found.items():
        targets = [total]
        parts = path.split(PATH_SEPARATOR)
        child = by_path.get(PATH_SEPARATOR.join(parts[: depth + 1]) + PATH_SEPARATOR)
        if child is not None:
            targets.append(per_child[child.pk])
        for target in targets:
            summed = target.setdefault(group_id, GroupFigures(item.account_group))
            summed.budget += item.budget
            summed.outcome += item.outcome
            # A unit without a forecast counts with its budget in the sum.
            summed.forecast = (summed.forecast or ZERO) + item.forecast_or_budget
    rows = [
        UnitFigures(c, Figures(_ordered(per_child[c.pk].values())))
        for c in children
        if per_child.get(c.pk)
    ]
    return Figures(_ordered(total.values())), rows


@dataclass
class Explanation:
    """What a unit below says about its deviation in a month: the comments on its forecasts and
    its åtgärdsplaner (its own and those of the units under it), and its month's report."""

    comments: list[BudgetForecast] = field(default_factory=list)
    action_plans: list[ActionPlan] = field(default_factory=list)
    report: Submission | None = None


def explanations_below(*, unit: OrgUnit, year: int, month: int) -> dict[int, Explanation]:
    """{unit below's pk: Explanation} for the units directly below, in three queries."""
    children = {c.path: c for c in OrgUnit.objects.filter(parent=unit)}
    depth = unit.path.count(PATH_SEPARATOR)
    found: dict[int, Explanation] = {c.pk: Explanation() for c in children.values()}

    def child_of(path: str) -> OrgUnit | None:
        return children.get(
            PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[: depth + 1]) + PATH_SEPARATOR
        )

    scope = Q(municipality_id=unit.municipality_id, year=year, month=month)
    scope &= Q(unit__path__startswith=unit.path) & ~Q(unit=unit)
    forecasts = (
        BudgetForecast.objects.filter(scope)
        .exclude(comment="")
        .select_related("unit", "account_group")
        .order_by("unit__path", "account_group__code")
    )
    for row in forecasts:
        if (child := child_of(row.unit.path)) is not None:
            found[child.pk].comments.append(row)
    for plan in ActionPlan.objects.filter(scope).select_related("unit").order_by("unit__path"):
        if (child := child_of(plan.unit.path)) is not None:
            found[child.pk].action_plans.append(plan)
    reports = Submission.objects.filter(
        unit__in=children.values(),
        kind=Submission.Kind.REPORT,
        period__year=year,
        period__month=month,
    ).select_related("period__definition")
    for report in reports:
        if "budget" in report.period.definition.follows_up:
            found[report.unit_id].report = report
    return found
