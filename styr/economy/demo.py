"""The demo's budget follow-up for a preset's municipality: account groups, each nämnd's and its
units' budget per month, the outcome of the months that have ended, and the forecasts for the
year on the model's calendar, as the units would have reported them.

The story: one nämnd and several of its units head for a result worse than the budget and write
åtgärdsplaner each month they do; one unit is worse early in the year and then back within its
budget (in Lomma it reports the updated forecast of 31/5 with an updated plan); some units do
better; one unit has not reported the forecasts of the latest month, so a controller sees what is
missing. Everything is drawn from a random generator seeded by the municipality's code, and a
municipality that already has budget lines for the year is left as it is."""

import calendar
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from styr.core.bulk import history_insert, rows_insert
from styr.organisation.models import Municipality, OrgUnit

from .models import AccountGroup, BudgetForecast, BudgetLine
from .selectors import deviation_months, followup_months, worse_paths
from .services import action_plan_save

INCOME, COST = AccountGroup.Kind.INCOME, AccountGroup.Kind.COST
# (code, name, kind, share of the unit's costs for the year)
GROUPS = [
    ("34", "Taxor och avgifter", INCOME, "0.07"),
    ("36", "Bidrag", INCOME, "0.06"),
    ("46", "Köpt verksamhet", COST, "0.15"),
    ("50", "Personal", COST, "0.62"),
    ("61", "Lokaler", COST, "0.12"),
    ("69", "Övriga kostnader", COST, "0.11"),
]
# Personnel costs dip with the summer holidays; the other groups are spread evenly.
PERSONNEL_WEIGHTS = [1.05, 1.0, 1.05, 1.0, 1.05, 0.95, 0.6, 0.9, 1.05, 1.05, 1.05, 1.25]

LINE_FIELDS = [
    "municipality",
    "unit",
    "year",
    "account_group",
    "month",
    "kind",
    "amount",
    "created_at",
    "updated_at",
]
FORECAST_FIELDS = [
    "municipality",
    "unit",
    "year",
    "month",
    "account_group",
    "forecast",
    "comment",
    "version",
    "created_at",
    "updated_at",
]

WORSE, RECOVERING, BETTER, AS_BUDGETED = "worse", "recovering", "better", "as_budgeted"
# The drift of each fate's forecast from the budget, per account group (+: more of it).
DRIFT = {
    WORSE: {"46": "0.09", "50": "0.03", "34": "-0.05"},
    RECOVERING: {"50": "0.04"},
    BETTER: {"50": "-0.02", "36": "0.08"},
    AS_BUDGETED: {},
}
RECOVERED_FROM = 5  # a recovering unit is back within its budget from May

COMMENTS = {
    ("34", -1): "Lägre avgiftsintäkter än budgeterat när färre har använt verksamheten.",
    ("36", 1): "Statsbidraget blev högre än det budgeterade.",
    ("46", 1): "Fler externa placeringar än budgeterat, och de har blivit längre.",
    ("50", 1): "Vikariekostnader vid hög sjukfrånvaro och övertid under sommaren.",
    ("50", -1): "Vakanta tjänster som inte har tillsatts ännu.",
}
MEASURES = [
    "Pröva hemmaplanslösningar före externa placeringar och se över de placeringar som pågår.",
    "Vikarier tas bara in där verksamheten kräver det, och övertid beviljas av chefen i förväg.",
    "Skjut upp inköp av inventarier och utrustning som inte är nödvändiga i år.",
    "Gå igenom bemanningen mot behovet vecka för vecka tillsammans med HR och ekonom.",
]


@dataclass
class DemoEconomy:
    units: int = 0
    budget_lines: int = 0
    forecasts: int = 0
    action_plans: int = 0


def demo_economy(
    *, municipality: Municipality, year: int, today: datetime.date | None = None
) -> DemoEconomy:
    """Idempotent: a municipality with budget lines for the year already keeps them as they are,
    and nothing more is written."""
    today = today or datetime.date.today()
    if BudgetLine.objects.filter(municipality=municipality, year=year).exists():
        return DemoEconomy()
    with transaction.atomic():
        story = _Story(municipality, year, today)
        story.tell()
    return story.summary


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _budget_units(municipality: Municipality, year: int) -> list[tuple[OrgUnit, OrgUnit]]:
    """(unit, its nämnd) for the units that carry a budget: each political body below
    fullmäktige, and below each of its förvaltningar the units directly under it (or the
    förvaltning itself when nothing is under it)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    units = [
        u
        for u in OrgUnit.objects.filter(municipality=municipality)
        .select_related("type")
        .order_by("path")
        if (u.valid_from is None or u.valid_from <= end)
        and (u.valid_to is None or u.valid_to >= start)
    ]
    children = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    found = []
    for board in units:
        if not board.type.is_political or board.depth == 0:
            continue
        found.append((board, board))
        for office in children[board.pk]:
            if office.type.is_political:
                continue
            below = [c for c in children[office.pk] if not c.type.is_political]
            found += [(unit, board) for unit in below or [office]]
    return found


class _Story:
    def __init__(self, municipality: Municipality, year: int, today: datetime.date):
        self.municipality = municipality
        self.year = year
        self.random = random.Random(int(municipality.code) * 10000 + year)
        self.summary = DemoEconomy()
        self.now = timezone.now()
        regular = followup_months(municipality.pk)
        passed = [m for m in range(1, 13) if _month_end(year, m) < today]
        self.regular = [m for m in regular if m in passed]
        self.deviation = [m for m in deviation_months(municipality.pk) if m in passed]
        reported = self.regular + self.deviation
        self.through = max(reported) if reported else (passed[-1] if passed else 0)
        self.units = _budget_units(municipality, year)
        self.groups = self._groups()
        self.budget: dict[tuple[int, str], Decimal] = {}  # (unit, group code): the year's budget
        self.fate: dict[int, str] = {}
        self.lacking: OrgUnit | None = None

    def _groups(self) -> dict[str, AccountGroup]:
        groups = {}
        for code, name, kind, _share in GROUPS:
            group = AccountGroup.objects.filter(municipality=self.municipality, code=code).first()
            if group is None:
                group = AccountGroup.objects.create(
                    municipality=self.municipality, code=code, name=name, kind=kind
                )
            groups[code] = group
        return groups

    def tell(self) -> None:
        if not self.units:
            return
        self._fates()
        self._budget_and_outcome()
        for month in sorted(self.regular + self.deviation):
            self._month(month)

    # -- who heads where ---------------------------------------------------------------------------

    def _fates(self) -> None:
        boards = [board for unit, board in self.units if unit is board]
        below = defaultdict(list)
        for unit, board in self.units:
            if unit is not board:
                below[board.pk].append(unit)
        # The strained nämnd: among those with at least two units below, not kommunstyrelsen.
        candidates = [b for b in boards if len(below[b.pk]) >= 2 and b.type.key != "ks"]
        strained = self.random.choice(candidates or boards)
        self.fate[strained.pk] = WORSE
        strained_units = below[strained.pk]
        for unit in self.random.sample(strained_units, max(1, len(strained_units) // 2)):
            self.fate[unit.pk] = WORSE
        others = [u for u, b in self.units if b is not strained and u is not b]
        self.random.shuffle(others)
        if others:
            self.fate[others.pop().pk] = RECOVERING
        if others and self.regular:
            self.lacking = others.pop()
        for unit, _board in self.units:
            self.fate.setdefault(unit.pk, self.random.choice([AS_BUDGETED, AS_BUDGETED, BETTER]))

    def _drift(self, unit: OrgUnit, code: str, month: int) -> Decimal:
        fate = self.fate[unit.pk]
        if fate == RECOVERING and month >= RECOVERED_FROM:
            return Decimal(0)
        return Decimal(DRIFT[fate].get(code, "0"))

    # -- budget and outcome ------------------------------------------------------------------------

    def _budget_and_outcome(self) -> None:
        lines = []
        for unit, board in self.units:
            self.summary.units += 1
            # A nämnd's own budget (politicians, the förvaltning's management) is the small one.
            costs = Decimal(
                self.random.randint(3, 9) if unit is board else self.random.randint(25, 140)
            )
            costs *= 1_000_000
            for code, _name, _kind, share in GROUPS:
                year_budget = (costs * Decimal(share)).quantize(Decimal(1000))
                self.budget[(unit.pk, code)] = year_budget
                weights = PERSONNEL_WEIGHTS if code == "50" else [1.0] * 12
                monthly = self._spread(year_budget, weights)
                for month, amount in enumerate(monthly, start=1):
                    lines.append(self._line(unit, code, month, BudgetLine.Kind.BUDGET, amount))
                    if month > self.through:
                        continue
                    drift = self._drift(unit, code, month)
                    noise = Decimal(self.random.uniform(-0.015, 0.015))
                    outcome = (amount * (1 + drift + noise)).quantize(Decimal(1))
                    lines.append(self._line(unit, code, month, BudgetLine.Kind.OUTCOME, outcome))
        rows_insert(lines, BudgetLine, LINE_FIELDS)
        created = list(BudgetLine.objects.filter(municipality=self.municipality, year=self.year))
        history_insert(created, BudgetLine, kind="+", user=None, when=self.now)
        self.summary.budget_lines = len(created)

    @staticmethod
    def _spread(total: Decimal, weights: list[float]) -> list[Decimal]:
        """The year's amount over the months by weight, in whole kronor adding up to the year."""
        whole = sum(weights)
        amounts = [(total * Decimal(w / whole)).quantize(Decimal(1)) for w in weights]
        amounts[-1] += total - sum(amounts)
        return amounts

    def _line(self, unit, code, month, kind, amount) -> BudgetLine:
        return BudgetLine(
            municipality=self.municipality,
            unit=unit,
            year=self.year,
            account_group=self.groups[code],
            month=month,
            kind=kind,
            amount=amount,
            created_at=self.now,
            updated_at=self.now,
        )

    # -- forecasts and åtgärdsplaner ---------------------------------------------------------------

    def _month(self, month: int) -> None:
        if month in self.regular:
            reporting = [u for u, _board in self.units]
            if month == self.regular[-1] and self.lacking is not None:
                reporting.remove(self.lacking)  # the forecast a controller finds missing
        else:
            root = OrgUnit.objects.get(municipality=self.municipality, depth=0)
            due = worse_paths(unit=root, year=self.year, month=month - 1, subtree=True)
            reporting = [u for u, _board in self.units if u.path in due]
        rows = []
        for unit in reporting:
            for code, *_rest in GROUPS:
                rows.append(self._forecast(unit, code, month))
        rows_insert(rows, BudgetForecast, FORECAST_FIELDS)
        created = list(
            BudgetForecast.objects.filter(
                municipality=self.municipality, year=self.year, month=month
            )
        )
        history_insert(created, BudgetForecast, kind="+", user=None, when=self.now)
        self.summary.forecasts += len(created)
        for unit in reporting:
            deviation = self._deviation(unit, month)
            if deviation < 0 or month not in self.regular:
                self._plan(unit, month, deviation)

    def _forecast(self, unit: OrgUnit, code: str, month: int) -> BudgetForecast:
        budget = self.budget[(unit.pk, code)]
        drift = self._drift(unit, code, month)
        forecast = (budget * (1 + drift)).quantize(Decimal(1000)) if drift else budget
        comment = ""
        if forecast != budget:
            comment = COMMENTS.get((code, 1 if forecast > budget else -1), "")
            comment = comment or "Avvikelsen följs upp månadsvis med ekonomen."
        return BudgetForecast(
            municipality=self.municipality,
            unit=unit,
            year=self.year,
            month=month,
            account_group=self.groups[code],
            forecast=forecast,
            comment=comment,
            created_at=self.now,
            updated_at=self.now,
        )

    def _deviation(self, unit: OrgUnit, month: int) -> Decimal:
        """Forecast − budget of the unit's result as reported in the month."""
        total = Decimal(0)
        for code, _name, kind, _share in GROUPS:
            budget = self.budget[(unit.pk, code)]
            drift = self._drift(unit, code, month)
            forecast = (budget * (1 + drift)).quantize(Decimal(1000)) if drift else budget
            total += (forecast - budget) * (1 if kind == INCOME else -1)
        return total

    def _plan(self, unit: OrgUnit, month: int, deviation: Decimal) -> None:
        responsible = f"{unit.type.name}schef" if not unit.type.is_political else "Förvaltningschef"
        due_on = min(
            _month_end(self.year, month) + datetime.timedelta(days=61),
            datetime.date(self.year, 12, 31),
        )
        share = Decimal(self.random.choice(["0.5", "0.6", "0.75", "1"]))
        # Back within the budget in a month of updated forecasts: the plan that brought it back.
        deviation = deviation or self._deviation(unit, month - 1)
        effect = (abs(deviation) * share).quantize(Decimal(1000))
        action_plan_save(
            user=None,
            unit=unit,
            year=self.year,
            month=month,
            measures="\n".join(self.random.sample(MEASURES, 2)),
            responsible=responsible,
            due_on=due_on,
            expected_effect=effect,
            seen_version=None,
        )
        self.summary.action_plans += 1
