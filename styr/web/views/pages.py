"""The pages people read: Mitt uppdrag, the röda tråd, a goal, a unit and the overview. Views are
thin: they fetch through the policy (404 alike for missing and forbidden), call selectors and
render."""

import datetime

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.access.policy import Action, can, units_visible_to
from styr.followup.models import Measurement, ReportingPeriod
from styr.followup.selectors import (
    fulfilment,
    fulfilment_by_unit_below,
    fulfilment_trend,
    indicator_comparison,
)
from styr.governance.models import (
    AssessmentValue,
    FocusArea,
    GovernanceModel,
)
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal, Target

from .. import selectors
from .common import access, chosen_municipality_id


@require_GET
def home(request):
    today = datetime.date.today()
    work = selectors.my_work(user=request.user, today=today)
    return TemplateResponse(
        request, "web/home.html", {"title": _("My assignment"), "work": work, "today": today}
    )


@require_GET
def red_thread(request):
    municipality_id = chosen_municipality_id(request)
    year = int(request.GET.get("ar") or datetime.date.today().year)
    units = units_visible_to(request.user).filter(municipality_id=municipality_id)
    unit = units.filter(pk=request.GET.get("enhet") or 0).first()
    focus_areas = FocusArea.objects.filter(municipality_id=municipality_id).order_by(
        "group", "name"
    )
    focus = focus_areas.filter(pk=request.GET.get("omrade") or 0).first()
    roots = selectors.red_thread(
        user=request.user,
        municipality_id=municipality_id,
        year=year,
        unit=unit,
        focus_area=focus,
    )
    model = GovernanceModel.objects.filter(municipality_id=municipality_id).first()
    return TemplateResponse(
        request,
        "web/red_thread.html",
        {
            "title": _("The golden thread"),
            "roots": roots,
            "model": model,
            "year": year,
            "units": units.order_by("path"),
            "unit": unit,
            "focus_areas": focus_areas,
            "focus": focus,
        },
    )


@require_GET
def goal(request, pk: int):
    goal = access(request.user, Goal, pk)
    indicators = list(goal.indicators.select_related("unit").order_by("code"))
    periods = list(
        ReportingPeriod.objects.filter(
            municipality_id=goal.municipality_id, measurements__indicator__in=indicators
        )
        .distinct()
        .select_related("definition")
        .order_by("year", "month")
    )
    outcomes = {
        (m.indicator_id, m.period_id, m.gender): m.value
        for m in Measurement.objects.filter(indicator__in=indicators, period__in=periods)
    }
    targets = {
        (t.indicator_id, t.year): t.value
        for t in Target.objects.filter(indicator__in=indicators, kind=Target.Kind.ANNUAL)
    }

    def chart(indicator) -> dict:
        def number(value):
            return float(value) if value is not None else None

        return {
            "periods": [p.name for p in periods],
            "total": [number(outcomes.get((indicator.pk, p.pk, "T"))) for p in periods],
            "women": [number(outcomes.get((indicator.pk, p.pk, "K"))) for p in periods],
            "men": [number(outcomes.get((indicator.pk, p.pk, "M"))) for p in periods],
            "target": [number(targets.get((indicator.pk, p.year))) for p in periods],
            "labels": {
                "total": _("Total"),
                "women": _("Women"),
                "men": _("Men"),
                "target": _("Target"),
            },
        }

    tables = [
        {
            "indicator": i,
            "chart": chart(i),
            "rows": [
                (
                    p,
                    outcomes.get((i.pk, p.pk, "T")),
                    outcomes.get((i.pk, p.pk, "K")),
                    outcomes.get((i.pk, p.pk, "M")),
                )
                for p in periods
            ],
            "comparison": indicator_comparison(indicator=i, period=periods[-1])
            if periods
            else None,
        }
        for i in indicators
    ]
    return TemplateResponse(
        request,
        "web/goal.html",
        {
            "title": goal.title,
            "goal": goal,
            "may_plan": can(request.user, Action.PLAN, goal),
            "texts": [
                (label, goal.texts.get(key, ""))
                for key, label in goal.level.text_field_labels().items()
            ],
            "parents": goal.parents.select_related("level", "unit"),
            "children": goal.children.select_related("level", "unit"),
            "tables": tables,
            "activities": goal.activities.select_related("unit").order_by("end"),
            "assessments": goal.assessments.select_related("value", "period__definition")
            .prefetch_related("corrective_actions")
            .order_by("-period__year", "-period__month"),
        },
    )


@require_GET
def unit(request, pk: int):
    unit = access(request.user, OrgUnit, pk)
    year = int(request.GET.get("ar") or datetime.date.today().year)
    periods = ReportingPeriod.objects.filter(
        municipality_id=unit.municipality_id, year=year
    ).select_related("definition")
    status = [(p, fulfilment(period=p, unit=unit), p.deadline_for(unit.type.key)) for p in periods]
    return TemplateResponse(
        request,
        "web/unit.html",
        {
            "title": unit.name,
            "unit": unit,
            "year": year,
            "goals": Goal.objects.filter(unit=unit).in_force(year).select_related("level"),
            "children": unit.children.order_by("name"),
            "status": status,
            "may_report": can(request.user, Action.REPORT, unit),
        },
    )


@require_GET
def overview(request):
    municipality_id = chosen_municipality_id(request)
    periods = list(
        ReportingPeriod.objects.filter(municipality_id=municipality_id, assessments__isnull=False)
        .distinct()
        .select_related("definition", "municipality")
        .order_by("-year", "-month")
    )
    period = next((p for p in periods if str(p.pk) == request.GET.get("period")), None) or (
        periods[0] if periods else None
    )
    units = units_visible_to(request.user).filter(municipality_id=municipality_id)
    unit = units.filter(pk=request.GET.get("enhet") or 0).first()
    focus_areas = FocusArea.objects.filter(municipality_id=municipality_id).order_by(
        "group", "name"
    )
    focus = focus_areas.filter(pk=request.GET.get("omrade") or 0).first()
    scale = list(AssessmentValue.objects.filter(municipality_id=municipality_id).order_by("order"))
    result = fulfilment(period=period, unit=unit, focus_area=focus) if period else None
    trend = below = []
    if period:
        trend = [
            (point, [point.counts.get(v.key, 0) for v in scale])
            for point in fulfilment_trend(
                municipality=period.municipality,
                years=[period.year - 1, period.year],
                unit=unit,
                focus_area=focus,
            )
            if point.assessed
        ]
        below = [
            (row, [row.counts.get(v.pk, 0) for v in scale])
            for row in fulfilment_by_unit_below(period=period, unit=unit, focus_area=focus)
        ]
    calendar = (
        ReportingPeriod.objects.filter(
            municipality_id=municipality_id, year=datetime.date.today().year
        )
        .select_related("definition__decided_by")
        .order_by("month")
    )
    return TemplateResponse(
        request,
        "web/overview.html",
        {
            "title": _("Overview"),
            "periods": periods,
            "period": period,
            "units": units.filter(depth__lte=2).order_by("path"),
            "unit": unit,
            "focus_areas": focus_areas,
            "focus": focus,
            "scale": scale,
            "result": result,
            "trend": trend,
            "below": below,
            "calendar": calendar,
        },
    )
