"""The parts of a follow-up report that come from other apps: the budget follow-up (economy), the
internkontrollplan (internal_control) and the model's overall judgements (overall).

Each reads its scope in a fixed number of queries, whether the report is for one unit or for a
whole subtree: a report's query count does not grow with its units. Their figures are today's,
also in the report of a decided period (the report says so).
"""

from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from styr.economy.models import ActionPlan, BudgetForecast
from styr.economy.selectors import economy_below
from styr.followup.selectors import overall_judgements
from styr.internal_control.forms import CONSEQUENCE, PROBABILITY
from styr.internal_control.models import ControlPlan, ControlPoint, ControlResult, Risk
from styr.internal_control.selectors import Cell, MatrixRow

from .structure import (
    ActionPlanLine,
    ControlPlanBlock,
    ControlPointLine,
    ControlResultLine,
    EconomyPart,
    EconomyRow,
    ForecastComment,
    InternalControlPart,
    JudgementBlock,
    JudgementLine,
    MatrixCellLine,
    MatrixRowLine,
    OverallJudgementsPart,
    RiskLine,
)


def decision_text(template: str, on, reference: str) -> str:
    """ "Fastställd 12 februari 2026 (SN § 14)": a decision's date and paragraph in words."""
    text = template % {"date": date_format(on, "j F Y") if on else "–"}
    return f"{text} ({reference})" if reference else text


def economy_part(part, *, unit, year, period, consolidated, anchor) -> EconomyPart:
    """The budget follow-up at the period's month: the unit with everything below it summed per
    account group (a nämnd's budget is its verksamheters'), and, consolidated, each unit
    directly below. Six queries."""
    month = period.month
    total, below = economy_below(unit=unit, year=year, month=month)
    groups = [
        EconomyRow(
            label=f"{g.account_group.code} {g.account_group.name}",
            kind=g.account_group.get_kind_display(),
            budget=g.budget,
            outcome=g.outcome,
            forecast=g.forecast_or_budget,
            deviation=g.deviation,
        )
        for g in total.groups
    ]
    result = None
    if groups:
        result = EconomyRow(
            _("Result (income − costs)"),
            "",
            total.budget,
            total.outcome,
            total.forecast,
            total.deviation,
        )
    units = []
    if consolidated:
        units = [
            EconomyRow(
                row.unit.name,
                "",
                row.figures.budget,
                row.figures.outcome,
                row.figures.forecast,
                row.figures.deviation,
            )
            for row in below
        ]

    # The comment of the latest forecast per unit and account group; a later forecast without
    # one replaces an earlier comment.
    latest: dict[tuple[int, int], BudgetForecast] = {}
    for row in (
        BudgetForecast.objects.filter(
            municipality_id=unit.municipality_id,
            year=year,
            month__lte=month,
            unit__path__startswith=unit.path,
        )
        .select_related("unit", "account_group")
        .order_by("unit__path", "account_group__code", "month")
    ):
        latest[(row.unit_id, row.account_group_id)] = row
    comments = [
        ForecastComment(
            row.unit.name, f"{row.account_group.code} {row.account_group.name}", row.comment
        )
        for row in latest.values()
        if row.comment.strip()
    ]

    plans = [
        ActionPlanLine(
            unit=plan.unit.name,
            month=str(MONTHS[plan.month]),
            measures=plan.measures,
            responsible=plan.responsible,
            due_on=plan.due_on,
            expected_effect=plan.expected_effect,
        )
        for plan in ActionPlan.objects.filter(
            municipality_id=unit.municipality_id,
            year=year,
            month__lte=month,
            unit__path__startswith=unit.path,
        )
        .select_related("unit")
        .order_by("unit__path", "month")
    ]
    return EconomyPart(
        heading=part.heading or _("Budget follow-up"),
        intro=part.intro,
        month=str(MONTHS[month]),
        groups=groups,
        result=result,
        units=units,
        comments=comments,
        action_plans=plans,
        anchor=anchor,
        includes_below=not consolidated and bool(below),
    )


def internal_control_part(part, *, unit, year, period, consolidated, anchor):
    """The year's internkontrollplan of the unit (consolidated: every plan in the subtree), with
    the results reported up to the period's month. Four queries."""
    where = {"unit__path__startswith": unit.path} if consolidated else {"unit": unit}
    plans = list(
        ControlPlan.objects.filter(municipality_id=unit.municipality_id, year=year, **where)
        .select_related("unit")
        .order_by("unit__path")
    )
    # The same scope through the plan, so that each read is one query even without plans.
    scope = {
        "plan__municipality_id": unit.municipality_id,
        "plan__year": year,
        **{f"plan__{k}": v for k, v in where.items()},
    }
    risks: dict[int, list[Risk]] = {}
    for risk in Risk.objects.filter(**scope).order_by("plan_id", "number"):
        risks.setdefault(risk.plan_id, []).append(risk)
    points: dict[int, list[ControlPoint]] = {}
    for point in (
        ControlPoint.objects.filter(**scope).select_related("risk").order_by("plan_id", "number")
    ):
        points.setdefault(point.plan_id, []).append(point)
    results: dict[int, list[ControlResult]] = {}
    for result in ControlResult.objects.filter(
        **{f"control_point__{k}": v for k, v in scope.items()}, month__lte=period.month
    ).order_by("performed_on", "pk"):
        results.setdefault(result.control_point_id, []).append(result)

    consequence_labels = {number: str(label) for number, label in CONSEQUENCE}
    probability_labels = [str(label) for _number, label in PROBABILITY]
    blocks = []
    for plan in plans:
        # The matrix as the web page draws it: konsekvens 4 down to 1, sannolikhet 1 to 4.
        rows = [
            MatrixRow(k, [Cell(probability=p, consequence=k) for p in range(1, 5)])
            for k in range(4, 0, -1)
        ]
        for risk in risks.get(plan.pk, []):
            rows[4 - risk.consequence].cells[risk.probability - 1].risks.append(risk)
        matrix = [
            MatrixRowLine(
                consequence_labels[row.consequence],
                [
                    MatrixCellLine(
                        c.score, c.colour, c.colour_label, [f"{r.label} {r.title}" for r in c.risks]
                    )
                    for c in row.cells
                ],
            )
            for row in rows
        ]
        point_lines, deviations = [], []
        for point in points.get(plan.pk, []):
            lines = [_result_line(point, r) for r in results.get(point.pk, [])]
            deviations += [line for line in lines if line.deviation]
            point_lines.append(
                ControlPointLine(
                    label=point.label,
                    what=point.what,
                    method=point.method,
                    responsible=point.responsible,
                    frequency=point.frequency + (f" ({point.month_names})" if point.months else ""),
                    risk=f"{point.risk.label} {point.risk.title}",
                    latest=lines[-1] if lines else None,
                )
            )
        if plan.adopted:
            state = decision_text(_("Adopted on %(date)s"), plan.adopted_on, plan.reference)
        else:
            state = _("Draft, not yet adopted")
        blocks.append(
            ControlPlanBlock(
                unit=plan.unit.name,
                state=state,
                probability_labels=probability_labels,
                matrix=matrix,
                risks=[
                    RiskLine(
                        label=r.label,
                        title=r.title,
                        area=r.area,
                        probability=r.probability,
                        consequence=r.consequence,
                        score=r.score,
                        colour_label=r.colour_label,
                        response=r.get_response_display(),
                    )
                    for r in risks.get(plan.pk, [])
                ],
                points=point_lines,
                deviations=deviations,
            )
        )
    return InternalControlPart(
        heading=part.heading or _("Internal control"),
        intro=part.intro,
        plans=blocks,
        anchor=anchor,
    )


def _result_line(point, result) -> ControlResultLine:
    return ControlResultLine(
        point=point.label,
        month=str(MONTHS[result.month]),
        performed_on=result.performed_on,
        result=result.result,
        deviation=result.deviation,
        deviation_description=result.deviation_description,
        measures=result.measures,
    )


def overall_part(part, *, period, anchor) -> OverallJudgementsPart:
    """The model's judgements over whole levels for the period, in words: "God ekonomisk
    hushållning: uppnås"; in a prognosis "bedöms uppnås"."""
    blocks = []
    for judgement in overall_judgements(period=period):
        reached = judgement.reached
        if period.is_final:
            words = _("reached") if reached else _("not reached")
        else:
            words = _("expected to be reached") if reached else _("not expected to be reached")
        blocks.append(
            JudgementBlock(
                name=judgement.name,
                verdict=f"{judgement.name}: {words}",
                reached=reached,
                complete=judgement.complete,
                decided=judgement.decided,
                parts=[
                    JudgementLine(
                        levels=", ".join(p.levels),
                        goals=p.goals,
                        assessed=p.assessed,
                        met=p.met,
                        share=p.share,
                        min_share=p.min_share,
                        reached=p.reached,
                    )
                    for p in judgement.parts
                ],
            )
        )
    return OverallJudgementsPart(
        heading=part.heading or _("Overall judgement"),
        intro=part.intro,
        judgements=blocks,
        anchor=anchor,
    )
