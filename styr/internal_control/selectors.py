"""Reading intern kontroll: the risk matrix, the plan's follow-up and the counts per plan."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit

from .models import COLOURS, ControlPlan, ControlPoint, ControlResult, Risk, colour_of

__all__ = [
    "COLOURS",
    "colour_of",
    "followup_by_period",
    "plan_counts",
    "plan_followup",
    "risk_matrix",
]


@dataclass
class Cell:
    probability: int
    consequence: int
    risks: list[Risk] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.probability * self.consequence

    @property
    def colour(self) -> str:
        return colour_of(self.score)[0]

    @property
    def colour_label(self) -> str:
        return colour_of(self.score)[1]


@dataclass
class MatrixRow:
    consequence: int
    cells: list[Cell]


def risk_matrix(plan: ControlPlan | None) -> list[MatrixRow]:
    """The 4 × 4 matrix: rows konsekvens 4 down to 1, columns sannolikhet 1 to 4, each cell with
    its risks."""
    rows = [
        MatrixRow(consequence=k, cells=[Cell(probability=p, consequence=k) for p in range(1, 5)])
        for k in range(4, 0, -1)
    ]
    if plan is not None:
        for risk in plan.risks.order_by("number"):
            rows[4 - risk.consequence].cells[risk.probability - 1].risks.append(risk)
    return rows


@dataclass
class PointFollowUp:
    point: ControlPoint
    results: list[ControlResult]

    @property
    def latest(self) -> ControlResult | None:
        return self.results[-1] if self.results else None

    @property
    def deviations(self) -> list[ControlResult]:
        return [r for r in self.results if r.deviation]


def plan_followup(plan: ControlPlan | None) -> list[PointFollowUp]:
    """Per kontrollmoment: its results in the order performed (the latest last), its
    deviations and the åtgärder reported with them."""
    if plan is None:
        return []
    points = list(plan.control_points.select_related("risk").order_by("number"))
    results: dict[int, list[ControlResult]] = {p.pk: [] for p in points}
    for row in (
        ControlResult.objects.filter(control_point__plan=plan)
        .select_related("reported_by")
        .order_by("performed_on", "pk")
    ):
        results[row.control_point_id].append(row)
    return [PointFollowUp(point=p, results=results[p.pk]) for p in points]


def plan_counts(*, unit: OrgUnit, year: int):
    """The plans of the year in the unit and below, each with its number of risks, control
    points, results and deviations — the nämnd's overview."""
    return (
        ControlPlan.objects.filter(
            municipality_id=unit.municipality_id, unit__path__startswith=unit.path, year=year
        )
        .select_related("unit")
        .annotate(
            risk_count=Count("risks", distinct=True),
            point_count=Count("control_points", distinct=True),
            result_count=Count("control_points__results", distinct=True),
            deviation_count=Count(
                "control_points__results",
                filter=Q(control_points__results__deviation=True),
                distinct=True,
            ),
        )
        .order_by("unit__path")
    )


@dataclass
class PeriodStatus:
    period: ReportingPeriod
    planned: int  # controls the plan schedules up to the period's last month
    performed: int  # of those, the ones with a reported result
    deviations: int  # results with a deviation up to the period's last month


def followup_by_period(plan: ControlPlan | None) -> list[PeriodStatus]:
    """The plan's follow-up at the model's reporting periods of the year. Follow-up is
    cumulative: each period covers the year up to its last month."""
    if plan is None:
        return []
    scheduled = [(p.pk, month) for p in plan.control_points.all() for month in p.months]
    results = list(
        ControlResult.objects.filter(control_point__plan=plan).values_list(
            "control_point_id", "month", "deviation"
        )
    )
    reported = {(point, month) for point, month, _deviation in results}
    periods = ReportingPeriod.objects.filter(
        municipality_id=plan.municipality_id, year=plan.year
    ).select_related("definition")
    return [
        PeriodStatus(
            period=period,
            planned=sum(1 for _p, month in scheduled if month <= period.month),
            performed=sum(1 for key in scheduled if key[1] <= period.month and key in reported),
            deviations=sum(
                1 for _p, month, deviation in results if deviation and month <= period.month
            ),
        )
        for period in periods.order_by("month", "definition__order")
    ]
