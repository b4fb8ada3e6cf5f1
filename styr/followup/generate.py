"""A generated municipality of a given size, for benchmarks and load tests.

It takes a preset's styrmodell (unit types, goal levels, periods, scale) and fills it with an
organisation, a målkedja and a full year of follow-up of the size asked for. Rows are written in
bulk: the point is a realistic volume and shape, not realistic prose. The same seed gives the same
municipality.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django.db import transaction

from styr.governance.models import ActivityStatus, AssessmentValue, GoalLevel, UnitType
from styr.governance.services import governance_model_load, resolve_model_file
from styr.organisation.models import PATH_SEPARATOR, Municipality, OrgUnit
from styr.planning.models import (
    Activity,
    ActivityGoal,
    Goal,
    GoalLink,
    Indicator,
    IndicatorGoal,
    Target,
)

from .models import (
    ActivityReport,
    Assessment,
    CorrectiveAction,
    Forecast,
    Measurement,
    ReportingPeriod,
)
from .services import periods_generate


@dataclass(frozen=True)
class Scale:
    """Sizes of the generated municipality. The Stockholm scale follows the issue's figures."""

    preset: str
    namnder: int
    avdelningar_per_forvaltning: int
    enheter_per_avdelning: int
    kf_goals: int
    goals_per_namnd: int
    goals_per_unit: int
    indicators_per_unit_goal: float  # on average
    activities_per_unit: int


SCALES = {
    # 1 + 1 + 1 + 30 × (1 + 1 + 6 + 6 × 7) = 1,503 units; about 20,500 goals, 50,000 indicators,
    # 30,000 activities and 550,000 outcome rows (T, K and M per tertial, and forecasts) a year.
    "stockholm": Scale("stockholm", 30, 6, 7, 50, 10, 14, 2.45, 21),
    # A small one for tests.
    "tiny": Scale("stockholm", 2, 2, 2, 4, 2, 2, 2, 1),
}

BATCH = 5000


@dataclass
class GeneratedSummary:
    municipality: Municipality
    units: int
    goals: int
    indicators: int
    activities: int
    measurements: int
    forecasts: int
    assessments: int


def municipality_generate(
    *, scale: str, seed: int, code: str, year: int = 2026
) -> GeneratedSummary:
    sizes = SCALES[scale]
    rnd = random.Random(seed)
    text = _model_only(sizes.preset, code)
    with transaction.atomic():
        municipality = governance_model_load(name=f"{scale}-{seed}.yaml", text=text).municipality
        generator = _Generator(municipality, sizes, rnd, year)
        return generator.run()


def _model_only(preset: str, code: str) -> str:
    """The preset's styrmodell without its demo organisation and målkedja, for a new code."""
    data = yaml.safe_load(resolve_model_file(preset).read_text(encoding="utf-8"))
    for part in ("organisation", "goals", "indicators", "activities", "assignments"):
        data.pop(part, None)
    data["municipality"] = {"code": code, "name": f"Genererad kommun {code}"}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class _Generator:
    def __init__(self, municipality: Municipality, sizes: Scale, rnd: random.Random, year: int):
        self.m = municipality
        self.sizes = sizes
        self.rnd = rnd
        self.year = year
        self.types = {t.key: t for t in UnitType.objects.filter(municipality=municipality)}
        self.levels = list(GoalLevel.objects.filter(municipality=municipality).order_by("order"))

    def run(self) -> GeneratedSummary:
        self._organisation()
        self._goals()
        self._indicators()
        self._activities()
        counts = self._follow_up()
        return GeneratedSummary(
            self.m,
            len(self.units),
            len(self.goals),
            len(self.indicators),
            len(self.activities),
            *counts,
        )

    # -- organisation ---------------------------------------------------------------------------

    def _unit(self, code: str, name: str, type_key: str, parent: OrgUnit | None) -> OrgUnit:
        path = f"{parent.path if parent else ''}{code}{PATH_SEPARATOR}"
        return OrgUnit(
            municipality=self.m,
            code=code,
            name=name,
            type=self.types[type_key],
            parent=parent,
            path=path,
            depth=parent.depth + 1 if parent else 0,
        )

    def _create(self, model, rows: list) -> list:
        return model.objects.bulk_create(rows, batch_size=BATCH)

    def _organisation(self) -> None:
        s = self.sizes
        [kf] = self._create(OrgUnit, [self._unit("KF", "Kommunfullmäktige", "kf", None)])
        [ks] = self._create(OrgUnit, [self._unit("KS", "Kommunstyrelsen", "ks", kf)])
        self.namnder = self._create(
            OrgUnit,
            [self._unit(f"N{n:02}", f"Nämnd {n}", "namnd", kf) for n in range(1, s.namnder + 1)],
        )
        forvaltningar = self._create(
            OrgUnit,
            [self._unit("SLK", "Stadsledningskontoret", "forvaltning", ks)]
            + [
                self._unit(f"{n.code}F", f"Förvaltning {n.code}", "forvaltning", n)
                for n in self.namnder
            ],
        )
        avdelningar = self._create(
            OrgUnit,
            [
                self._unit(f"{f.code}A{a}", f"Avdelning {a}, {f.code}", "avdelning", f)
                for f in forvaltningar[1:]
                for a in range(1, s.avdelningar_per_forvaltning + 1)
            ],
        )
        enheter = self._create(
            OrgUnit,
            [
                self._unit(f"{a.code}E{e}", f"Enhet {e}, {a.code}", "enhet", a)
                for a in avdelningar
                for e in range(1, s.enheter_per_avdelning + 1)
            ],
        )
        self.kf = kf
        self.reporting_units = avdelningar + enheter
        self.units = [kf, ks, *self.namnder, *forvaltningar, *self.reporting_units]

    # -- the målkedja -----------------------------------------------------------------------------

    def _goals(self) -> None:
        s = self.sizes
        first, last = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        owners = {
            lvl.pk: set(lvl.owner_unit_types.values_list("key", flat=True)) for lvl in self.levels
        }
        kf_levels = [lvl for lvl in self.levels if "kf" in owners[lvl.pk]]
        namnd_level = next(lvl for lvl in self.levels if "namnd" in owners[lvl.pk])
        unit_level = self.levels[-1]

        def goal(code, level, unit):
            return Goal(
                municipality=self.m,
                code=code,
                level=level,
                unit=unit,
                title=f"Mål {code}",
                texts={f: f"Text för {code}." for f in level.text_field_labels()},
                valid_from=first,
                valid_to=last,
            )

        chains: list[list[Goal]] = []
        per_level = max(s.kf_goals // max(len(kf_levels), 1), 1)
        previous: list[Goal] = []
        links: list[tuple[Goal, Goal]] = []
        for depth, level in enumerate(kf_levels):
            created = self._create(
                Goal, [goal(f"KF{depth}-{i}", level, self.kf) for i in range(per_level)]
            )
            links += [(g, self.rnd.choice(previous)) for g in created if previous]
            previous = created
            chains.append(created)
        namnd_goals = self._create(
            Goal,
            [
                goal(f"{n.code}-M{i}", namnd_level, n)
                for n in self.namnder
                for i in range(s.goals_per_namnd)
            ],
        )
        links += [(g, self.rnd.choice(previous)) for g in namnd_goals]
        by_namnd: dict[str, list[Goal]] = {}
        for g in namnd_goals:
            by_namnd.setdefault(g.unit.code, []).append(g)
        unit_goals = self._create(
            Goal,
            [
                goal(f"{u.code}-M{i}", unit_level, u)
                for u in self.reporting_units
                for i in range(s.goals_per_unit)
            ],
        )
        for g in unit_goals:
            namnd_code = g.unit.path.split(PATH_SEPARATOR)[1]
            links.append((g, self.rnd.choice(by_namnd[namnd_code])))
        self._create(
            GoalLink,
            [GoalLink(municipality=self.m, goal=child, parent=parent) for child, parent in links],
        )
        self.namnd_goals = namnd_goals
        self.unit_goals = unit_goals
        self.goals = [g for chain in chains for g in chain] + namnd_goals + unit_goals

    def _indicators(self) -> None:
        s = self.sizes
        owners = [(g, 3) for g in self.goals if g.unit_id == self.kf.pk][:40]
        owners += [(g, 3) for g in self.namnd_goals]
        whole = int(s.indicators_per_unit_goal)
        fraction = s.indicators_per_unit_goal - whole
        owners += [(g, whole + (self.rnd.random() < fraction)) for g in self.unit_goals]
        rows, pairs = [], []
        for goal, count in owners:
            for i in range(count):
                direction = self.rnd.choice(["increase", "increase", "decrease"])
                rows.append(
                    Indicator(
                        municipality=self.m,
                        code=f"{goal.code}-I{i}",
                        name=f"Indikator {goal.code}-{i}",
                        unit_id=goal.unit_id,
                        measure="%",
                        direction=direction,
                        frequency="tertial",
                        gender_split=True,
                    )
                )
                pairs.append(goal)
        self.indicators = self._create(Indicator, rows)
        self._create(
            IndicatorGoal,
            [
                IndicatorGoal(municipality=self.m, indicator=i, goal=g)
                for i, g in zip(self.indicators, pairs, strict=True)
            ],
        )
        self.goal_of_indicator = {i.pk: g for i, g in zip(self.indicators, pairs, strict=True)}
        self.levels_of = {}
        targets = []
        for indicator in self.indicators:
            base = Decimal(self.rnd.randint(40, 80))
            step = Decimal(self.rnd.randint(2, 8))
            goal_value = base + step if indicator.direction == "increase" else base - step
            self.levels_of[indicator.pk] = (base, goal_value)
            targets += [
                Target(
                    municipality=self.m,
                    indicator=indicator,
                    kind="baseline",
                    year=self.year - 1,
                    value=base,
                ),
                Target(
                    municipality=self.m,
                    indicator=indicator,
                    kind="annual",
                    year=self.year,
                    value=goal_value,
                ),
            ]
        self._create(Target, targets)

    def _activities(self) -> None:
        s = self.sizes
        rows, goals = [], []
        for unit in self.reporting_units:
            unit_goals = [g for g in self._goals_by_unit().get(unit.pk, [])]
            for i in range(s.activities_per_unit):
                start = datetime.date(self.year, self.rnd.randint(1, 6), 1)
                end = datetime.date(self.year, self.rnd.randint(start.month + 1, 12), 28)
                rows.append(
                    Activity(
                        municipality=self.m,
                        code=f"{unit.code}-A{i}",
                        title=f"Aktivitet {i} för {unit.code}",
                        unit=unit,
                        responsible="Enhetschef",
                        start=start,
                        end=end,
                    )
                )
                goals.append(self.rnd.choice(unit_goals))
        self.activities = self._create(Activity, rows)
        self._create(
            ActivityGoal,
            [
                ActivityGoal(municipality=self.m, activity=a, goal=g)
                for a, g in zip(self.activities, goals, strict=True)
            ],
        )

    def _goals_by_unit(self) -> dict[int, list[Goal]]:
        if not hasattr(self, "_by_unit"):
            self._by_unit: dict[int, list[Goal]] = {}
            for g in self.unit_goals:
                self._by_unit.setdefault(g.unit_id, []).append(g)
        return self._by_unit

    # -- a year of follow-up ----------------------------------------------------------------------

    def _follow_up(self) -> tuple[int, int, int]:
        periods = periods_generate(municipality=self.m, year=self.year)
        periods = [p for p in periods if "indicators" in p.definition.follows_up]
        scale = list(AssessmentValue.objects.filter(municipality=self.m).order_by("order"))
        statuses = list(ActivityStatus.objects.filter(municipality=self.m).order_by("order"))
        measurements = forecasts = assessments = 0
        for period in periods:
            rows, forecast_rows = [], []
            for indicator in self.indicators:
                base, goal_value = self.levels_of[indicator.pk]
                value = base + (goal_value - base) * Decimal(self.rnd.uniform(0.2, 1.3))
                value = value.quantize(Decimal("0.1"))
                spread = Decimal(self.rnd.randint(0, 40)) / 10
                for gender, v in (("T", value), ("K", value + spread), ("M", value - spread)):
                    rows.append(
                        Measurement(
                            municipality=self.m,
                            indicator=indicator,
                            unit_id=indicator.unit_id,
                            period=period,
                            gender=gender,
                            value=v,
                        )
                    )
                if not period.is_final:
                    forecast_rows.append(
                        Forecast(
                            municipality=self.m,
                            indicator=indicator,
                            unit_id=indicator.unit_id,
                            period=period,
                            value=value,
                        )
                    )
            self._create(Measurement, rows)
            self._create(Forecast, forecast_rows)
            measurements += len(rows)
            forecasts += len(forecast_rows)
            assessments += self._assess(period, scale)
            self._create(
                ActivityReport,
                [
                    ActivityReport(
                        municipality=self.m,
                        activity=a,
                        period=period,
                        status=self.rnd.choice(statuses),
                        comment="Genererad status.",
                    )
                    for a in self.activities
                ],
            )
        return measurements, forecasts, assessments

    def _assess(self, period: ReportingPeriod, scale: list[AssessmentValue]) -> int:
        weights = [5, 3, 2][: len(scale)] + [1] * max(len(scale) - 3, 0)
        chosen = self.rnd.choices(scale, weights=weights, k=len(self.goals))
        rows = self._create(
            Assessment,
            [
                Assessment(
                    municipality=self.m,
                    goal=g,
                    period=period,
                    value=v,
                    suggested_value=v,
                    analysis=f"Analys av {g.code}.",
                )
                for g, v in zip(self.goals, chosen, strict=True)
            ],
        )
        self._create(
            CorrectiveAction,
            [
                CorrectiveAction(
                    municipality=self.m,
                    assessment=a,
                    description="Genererad åtgärd.",
                    responsible="Enhetschef",
                    due_on=period.ends_on + datetime.timedelta(days=90),
                )
                for a in rows
                if not a.value.is_met
            ],
        )
        return len(rows)
