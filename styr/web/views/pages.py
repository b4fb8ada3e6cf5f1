"""The pages people read: Mitt uppdrag, the röda tråd, a goal, a unit and the overview. Views are
thin: they fetch through the policy (404 alike for missing and forbidden), call selectors and
render."""

import datetime
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from styr.access.policy import Action, can, role_grants, units_visible_to
from styr.followup.models import Assessment, Measurement, ReportingPeriod
from styr.followup.selectors import (
    assessment_counts_per_unit,
    fulfilment,
    fulfilment_by_unit_below,
    fulfilment_per_period,
    fulfilment_trend,
    indicator_comparisons,
    overall_judgement_names,
)
from styr.governance.models import (
    AssessmentValue,
    FocusArea,
    GovernanceModel,
)
from styr.kolada.selectors import kpi_comparisons
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


def _number(request, name: str) -> bool:
    return request.GET.get(name, "").isdigit()


def _red_thread_filters(request, municipality_id: int) -> dict:
    """The röda tråd's filters (unit, focus area, year), read alike by the page and its branches."""
    year = int(request.GET["ar"]) if _number(request, "ar") else datetime.date.today().year
    units = units_visible_to(request.user).filter(municipality_id=municipality_id)
    unit = units.filter(pk=request.GET["enhet"]).first() if _number(request, "enhet") else None
    focus_areas = FocusArea.objects.filter(municipality_id=municipality_id).order_by(
        "group", "name"
    )
    focus = (
        focus_areas.filter(pk=request.GET["omrade"]).first() if _number(request, "omrade") else None
    )
    query = {"ar": year, "enhet": unit.pk if unit else "", "omrade": focus.pk if focus else ""}
    if request.GET.get("kommun"):
        query["kommun"] = municipality_id
    return {
        "year": year,
        "units": units,
        "unit": unit,
        "focus_areas": focus_areas,
        "focus": focus,
        "query": urlencode({k: v for k, v in query.items() if v != ""}),
        "scope": selectors.red_thread_scope(
            user=request.user,
            municipality_id=municipality_id,
            year=year,
            unit=unit,
            focus_area=focus,
        ),
    }


def _filter_units(user, filters: dict, municipality_id: int):
    """The units offered in the röda tråd's filter: from the person's own highest unit two levels
    down (a controller at KF gets the nämnder and förvaltningar, not all 1,500 units of a large
    city), and the chosen one. Any visible unit can still be asked for by its address."""
    top = 0
    if not user.is_superuser:
        top = min(
            (g.unit.depth for g in role_grants(user) if g.municipality_id == municipality_id),
            default=0,
        )
    chosen = filters["unit"].pk if filters["unit"] else 0
    return filters["units"].filter(Q(depth__lte=top + 2) | Q(pk=chosen)).order_by("path")


@require_GET
def red_thread(request):
    municipality_id = chosen_municipality_id(request)
    filters = _red_thread_filters(request, municipality_id)
    return TemplateResponse(
        request,
        "web/red_thread.html",
        {
            **filters,
            "title": _("The golden thread"),
            "roots": selectors.red_thread(scope=filters["scope"]),
            "model": GovernanceModel.objects.filter(municipality_id=municipality_id).first(),
            "units": _filter_units(request.user, filters, municipality_id),
        },
    )


@require_GET
def red_thread_branch(request, goal_pk: int):
    """The goals directly below one node of the röda tråd and its activities, read when the node
    is opened (htmx). Without JavaScript the node's link leads to the goal page instead."""
    goal = access(request.user, Goal, goal_pk)
    filters = _red_thread_filters(request, goal.municipality_id)
    node = selectors.red_thread_branch(scope=filters["scope"], goal=goal)
    return TemplateResponse(
        request,
        "web/_branch.html",
        {"node": node, "query": filters["query"]},
    )


@require_GET
def goal(request, pk: int):
    goal = access(request.user, Goal, pk)
    indicators = list(goal.indicators.select_related("unit").order_by("code"))
    periods = list(
        ReportingPeriod.objects.filter(municipality_id=goal.municipality_id)
        .filter(
            Exists(
                Measurement.objects.filter(
                    municipality_id=goal.municipality_id,
                    period=OuterRef("pk"),
                    indicator__in=indicators,
                )
            )
        )
        .select_related("definition")
        .order_by("year", "month")
    )
    outcomes = {
        (m.indicator_id, m.period_id, m.gender): m.value
        for m in Measurement.objects.filter(
            municipality_id=goal.municipality_id, period__in=periods, indicator__in=indicators
        )
    }
    targets = {
        (t.indicator_id, t.year): t.value
        for t in Target.objects.filter(
            municipality_id=goal.municipality_id, indicator__in=indicators, kind=Target.Kind.ANNUAL
        )
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

    comparisons = (
        indicator_comparisons(indicators=indicators, period=periods[-1]) if periods else {}
    )
    # Indicators linked to a Kolada KPI, against other municipalities (one query for all).
    linked = [i for i in indicators if i.kolada_kpi]
    kolada = kpi_comparisons(indicators=linked, municipality=goal.municipality) if linked else {}
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
            "comparison": comparisons.get(i.pk),
            "kolada": kolada.get(i.pk),
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
    periods = list(
        ReportingPeriod.objects.filter(municipality_id=unit.municipality_id, year=year)
        .select_related("definition", "municipality")
        .order_by("month", "definition__order")
    )
    results = fulfilment_per_period(periods=periods, unit=unit)
    status = [(p, results[p.pk], p.deadline_for(unit.type.key)) for p in periods]
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
            # The year's overall judgements (god ekonomisk hushållning) from KF, KS and nämnder.
            "overall": overall_judgement_names(municipality_id=unit.municipality_id)
            if unit.depth <= 1 and unit.type.is_political
            else [],
        },
    )


@require_GET
def overview(request):
    municipality_id = chosen_municipality_id(request)
    periods = list(
        ReportingPeriod.objects.filter(municipality_id=municipality_id)
        .filter(Exists(Assessment.objects.filter(period=OuterRef("pk"))))
        .select_related("definition__model", "municipality")
        .order_by("-year", "-month")
    )
    period = next((p for p in periods if str(p.pk) == request.GET.get("period")), None) or (
        periods[0] if periods else None
    )
    units = units_visible_to(request.user).filter(municipality_id=municipality_id)
    # The units offered (two levels down) and the chosen one, in one read.
    # A unit or focus area that is not a number is ignored, like one that is not there.
    chosen = request.GET["enhet"] if _number(request, "enhet") else None
    rows = list(
        units.filter(Q(depth__lte=2) | Q(pk=chosen) if chosen else Q(depth__lte=2)).order_by("path")
    )
    unit = next((u for u in rows if u.pk == int(chosen)), None) if chosen else None
    focus_areas = list(
        FocusArea.objects.filter(municipality_id=municipality_id).order_by("group", "name")
    )
    area = request.GET["omrade"] if _number(request, "omrade") else None
    focus = next((f for f in focus_areas if f.pk == int(area)), None) if area else None
    scale = list(AssessmentValue.objects.filter(municipality_id=municipality_id).order_by("order"))
    result = None
    trend = below = []
    if period:
        # Counted once per unit and value, for the roll-up and for the units below alike.
        counts = assessment_counts_per_unit(period=period, unit=unit, focus_area=focus)
        result = fulfilment(period=period, unit=unit, focus_area=focus, scale=scale, counts=counts)
        years = [period.year - 1, period.year]
        trend = [
            (point, [point.counts.get(v.key, 0) for v in scale])
            for point in fulfilment_trend(
                municipality=period.municipality,
                years=years,
                unit=unit,
                focus_area=focus,
                scale=scale,
                # The periods with assessments, which are the only ones shown.
                periods=sorted(
                    (p for p in periods if p.year in years),
                    key=lambda p: (p.year, p.month, p.definition.order),
                ),
            )
            if point.assessed
        ]
        below = [
            (row, [row.counts.get(v.pk, 0) for v in scale])
            for row in fulfilment_by_unit_below(
                period=period, unit=unit, focus_area=focus, counts=counts
            )
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
            "units": [u for u in rows if u.depth <= 2],
            "unit": unit,
            "focus_areas": focus_areas,
            "focus": focus,
            "scale": scale,
            "result": result,
            "trend": trend,
            "below": below,
            "calendar": calendar,
            # The municipality's one model, read with the periods.
            "overall": overall_judgement_names(
                municipality_id=municipality_id, model=period.definition.model if period else None
            ),
        },
    )
