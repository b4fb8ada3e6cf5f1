"""The pages people use. Views are thin: they fetch through the policy (404 alike for missing and
forbidden), call selectors and services, and render; htmx requests get the row they changed."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from styr.access.policy import Action, can, units_visible_to
from styr.core.versioning import ConflictError
from styr.followup.models import Measurement, ReportingPeriod
from styr.followup.rule import assessment_suggest_many
from styr.followup.selectors import (
    fulfilment,
    fulfilment_by_unit_below,
    fulfilment_trend,
    indicator_comparison,
)
from styr.followup.services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    measurement_report,
)
from styr.governance.models import (
    ActivityStatus,
    AssessmentValue,
    FocusArea,
    GoalLevel,
    GovernanceModel,
)
from styr.organisation.models import OrgUnit
from styr.planning.models import Activity, Goal, Indicator, Target
from styr.planning.services import goal_create, goal_update

from . import selectors
from .forms import GoalPlanForm


def _access(user, model, pk, action=Action.VIEW, **lookup):
    """The object if the user may see it (404 alike for missing and hidden), and 403 if they may
    see it but not do `action` to it."""
    obj = model.objects.filter(pk=pk, **lookup).first()
    if obj is None or not can(user, Action.VIEW, obj):
        raise Http404
    if action != Action.VIEW and not can(user, action, obj):
        raise PermissionDenied(_("You may read this but not change it."))
    return obj


def _municipality_id(request) -> int:
    ids = selectors.user_municipality_ids(request.user)
    if not ids:
        raise PermissionDenied(_("You have no role in any municipality yet."))
    chosen = request.GET.get("kommun")
    return int(chosen) if chosen and chosen.isdigit() and int(chosen) in ids else ids[0]


@require_GET
def home(request):
    today = datetime.date.today()
    work = selectors.my_work(user=request.user, today=today)
    return TemplateResponse(
        request, "web/home.html", {"title": _("My assignment"), "work": work, "today": today}
    )


@require_GET
def red_thread(request):
    municipality_id = _municipality_id(request)
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
    goal = _access(request.user, Goal, pk)
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
    unit = _access(request.user, OrgUnit, pk)
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


def _followup_scope(request, unit_pk: int, period_pk: int):
    """The unit and period of a follow-up screen, both through the policy."""
    unit = _access(request.user, OrgUnit, unit_pk)
    period = _access(request.user, ReportingPeriod, period_pk, municipality_id=unit.municipality_id)
    return unit, period


def _followup_context(request, unit, period):
    rows = selectors.followup_rows(unit=unit, period=period)
    return {
        "title": _("Follow-up: %(unit)s, %(period)s") % {"unit": unit.name, "period": period.name},
        "unit": unit,
        "period": period,
        "may_report": can(request.user, Action.REPORT, unit) and period.state == "open",
        "statuses": ActivityStatus.objects.filter(municipality_id=unit.municipality_id).order_by(
            "order"
        ),
        "scale": AssessmentValue.objects.filter(municipality_id=unit.municipality_id).order_by(
            "order"
        ),
        "suggestions": assessment_suggest_many(goals=[g for g, _a in rows["goals"]], period=period),
        **rows,
    }


@require_GET
def followup(request, unit_pk: int, period_pk: int):
    unit, period = _followup_scope(request, unit_pk, period_pk)
    return TemplateResponse(request, "web/followup.html", _followup_context(request, unit, period))


def _row_response(request, template, context, errors):
    """The changed row for htmx; without htmx, the whole screen again (or back to it)."""
    context["errors"] = errors
    context["saved"] = not errors
    status = 422 if errors else 200
    if request.headers.get("HX-Request"):
        return TemplateResponse(request, template, context, status=status)
    if errors:
        return TemplateResponse(request, "web/followup.html", context, status=status)
    return redirect("web:followup", unit_pk=context["unit"].pk, period_pk=context["period"].pk)


def _messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", [str(error)]))


@require_POST
def followup_indicator(request, unit_pk: int, period_pk: int, indicator_pk: int):
    unit, period = _followup_scope(request, unit_pk, period_pk)
    indicator = _access(request.user, Indicator, indicator_pk, Action.REPORT, unit=unit)
    genders = ["T", "K", "M"] if indicator.gender_split else ["T"]
    errors = []
    try:
        measurement_report(
            indicator=indicator,
            period=period,
            values={g: request.POST.get(g, "") for g in genders if g in request.POST},
            forecast=request.POST.get("forecast", ""),
            comment=request.POST.get("comment", ""),
            seen_versions={
                key: int(v) if v.isdigit() else None
                for key in [*genders, "forecast"]
                if (v := request.POST.get(f"version_{key}")) is not None
            },
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied, ConflictError) as error:
        errors = _messages(error)
    context = _followup_context(request, unit, period)
    context["row"] = next(r for r in context["indicators"] if r.indicator.pk == indicator.pk)
    return _row_response(request, "web/_indicator_row.html", context, errors)


@require_POST
def followup_activity(request, unit_pk: int, period_pk: int, activity_pk: int):
    unit, period = _followup_scope(request, unit_pk, period_pk)
    activity = _access(request.user, Activity, activity_pk, Action.REPORT, unit=unit)
    status = ActivityStatus.objects.filter(
        municipality_id=unit.municipality_id, pk=request.POST.get("status") or 0
    ).first()
    errors = []
    if status is None:
        errors = [_("Choose a status.")]
    else:
        try:
            activity_report(
                activity=activity,
                period=period,
                status=status,
                comment=request.POST.get("comment", ""),
                acting_user=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _messages(error)
    context = _followup_context(request, unit, period)
    context["item"] = next(item for item in context["activities"] if item[0].pk == activity.pk)
    return _row_response(request, "web/_activity_row.html", context, errors)


@require_POST
def followup_goal(request, unit_pk: int, period_pk: int, goal_pk: int):
    unit, period = _followup_scope(request, unit_pk, period_pk)
    goal = _access(request.user, Goal, goal_pk, Action.REPORT, unit=unit)
    value = AssessmentValue.objects.filter(
        municipality_id=unit.municipality_id, pk=request.POST.get("value") or 0
    ).first()
    errors = []
    if value is None:
        errors = [_("Choose an assessment.")]
    else:
        due = request.POST.get("action_due") or ""
        try:
            due_on = datetime.date.fromisoformat(due) if due else None
        except ValueError:
            due_on = None
            errors = [_("Write the date as YYYY-MM-DD.")]
        if not errors:
            try:
                seen = request.POST.get("version")
                assessment_submit(
                    goal=goal,
                    period=period,
                    value=value,
                    analysis=request.POST.get("analysis", ""),
                    motivation=request.POST.get("motivation", ""),
                    next_year=request.POST.get("next_year", ""),
                    corrective_actions=[
                        CorrectiveActionInput(
                            request.POST.get("action_what", ""),
                            request.POST.get("action_who", ""),
                            due_on,
                        )
                    ],
                    seen_version=int(seen) if seen and seen.isdigit() else None,
                    acting_user=request.user,
                )
            except (ValidationError, PermissionDenied, ConflictError) as error:
                errors = _messages(error)
    context = _followup_context(request, unit, period)
    context["item"] = next(item for item in context["goals"] if item[0].pk == goal.pk)
    return _row_response(request, "web/_goal_form.html", context, errors)


@require_GET
def overview(request):
    municipality_id = _municipality_id(request)
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


# --- Planning ------------------------------------------------------------------------------------


def _plannable_units(user, municipality_id: int):
    units = units_visible_to(user).filter(municipality_id=municipality_id).select_related("type")
    return [u for u in units.order_by("path") if can(user, Action.PLAN, u)]


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            target = field if field in form.fields else None
            for text in texts:
                form.add_error(target, text)
    else:
        for message in error.messages:
            form.add_error(None, message)


def plan_goal_new(request):
    municipality_id = _municipality_id(request)
    year = int(request.GET.get("ar") or datetime.date.today().year)
    units = _plannable_units(request.user, municipality_id)
    if not units:
        raise PermissionDenied(_("You may not plan in any unit."))
    unit = next((u for u in units if str(u.pk) == request.GET.get("enhet")), None)
    levels = GoalLevel.objects.filter(municipality_id=municipality_id).order_by("order")
    if unit is not None:
        levels = levels.filter(owner_unit_types=unit.type)
    level = levels.filter(pk=request.GET.get("niva") or 0).first()
    form = None
    if unit is not None and level is not None:
        form = GoalPlanForm(
            request.POST or None, level=level, unit=unit, user=request.user, year=year
        )
        if request.method == "POST" and form.is_valid():
            try:
                goal = goal_create(
                    level=level,
                    unit=unit,
                    year=year,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    texts=form.texts(),
                    parents=form.cleaned_data["parents"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The goal has been created."))
                return redirect("web:goal", pk=goal.pk)
    return TemplateResponse(
        request,
        "web/plan_goal.html",
        {
            "title": _("New goal"),
            "units": units,
            "unit": unit,
            "levels": levels,
            "level": level,
            "year": year,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def plan_goal_edit(request, pk: int):
    goal = _access(request.user, Goal, pk, Action.PLAN)
    form = GoalPlanForm(
        request.POST or None,
        level=goal.level,
        unit=goal.unit,
        user=request.user,
        year=goal.valid_from.year,
        initial={
            "title": goal.title,
            "description": goal.description,
            "parents": list(goal.parents.all()),
            **{f"text_{k}": v for k, v in goal.texts.items()},
        },
    )
    if request.method == "POST" and form.is_valid():
        seen = request.POST.get("version", "")
        try:
            goal_update(
                goal=goal,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                texts=form.texts(),
                parents=form.cleaned_data["parents"],
                seen_version=int(seen) if seen.isdigit() else None,
                acting_user=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The goal has been saved."))
            return redirect("web:goal", pk=goal.pk)
    return TemplateResponse(
        request,
        "web/plan_goal.html",
        {
            "title": _("Edit the goal"),
            "goal": goal,
            "form": form,
            "level": goal.level,
            "unit": goal.unit,
        },
        status=400 if form.errors else 200,
    )
