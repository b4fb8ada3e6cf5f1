"""Planning: goals at the levels the model allows, and their indicators with targets and
activities, through the planning services."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from styr.access.policy import Action, can, units_visible_to
from styr.governance.models import (
    GoalLevel,
)
from styr.planning.models import Activity, Goal, Indicator, Target
from styr.planning.services import (
    activity_create,
    activity_update,
    goal_create,
    goal_update,
    goal_years,
    indicator_create,
    indicator_update,
)

from ..forms import (
    ActivityPlanForm,
    GoalPlanForm,
    IndicatorPlanForm,
    TargetFormSet,
    target_rows,
)
from .common import access, chosen_municipality_id, form_errors


def _plannable_units(user, municipality_id: int):
    units = units_visible_to(user).filter(municipality_id=municipality_id).select_related("type")
    return [u for u in units.order_by("path") if can(user, Action.PLAN, u)]


def plan_goal_new(request):
    municipality_id = chosen_municipality_id(request)
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
                form_errors(form, error)
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
    goal = access(request.user, Goal, pk, Action.PLAN)
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
            form_errors(form, error)
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


# --- Indicators with their targets, and activities, on a goal ------------------------------------

BLANK_TARGET_ROWS = 2


def _seen_version(request) -> int | None:
    seen = request.POST.get("version", "")
    return int(seen) if seen.isdigit() else None


def _version_shown(request, obj) -> int:
    """The version the form was opened at, kept through a refused save: a second try of the same
    form must not overwrite what someone else saved in between."""
    seen = _seen_version(request) if request.method == "POST" else None
    return seen if seen is not None else obj.version


def _back_to_goal(request, goals):
    """The goal the person came from (?mal=), if it is one of the object's goals."""
    chosen = request.GET.get("mal", "")
    return next((g for g in goals if str(g.pk) == chosen), goals[0] if goals else None)


def _level_rules(levels) -> list[str]:
    """The model's rules for an indicator's targets, said before anyone breaks them."""
    rules = []
    for level in levels:
        if level.max_indicators is not None:
            rules.append(
                _("A %(level)s may have at most %(limit)s indicators.")
                % {"level": level.name, "limit": level.max_indicators}
            )
        if level.change_target_needs_baseline:
            rules.append(
                _(
                    "At the level %(level)s, a target that only says increase or decrease needs "
                    "a baseline to measure the change from."
                )
                % {"level": level.name}
            )
        if level.indicators_need_milestones:
            rules.append(
                _("Indicators at the level %(level)s need at least one milestone.")
                % {"level": level.name}
            )
    return rules


def _plain(value: Decimal | None) -> Decimal | None:
    """12.0000 shown as 12 and 12.5000 as 12,5: the database keeps four decimals."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _new_target_rows(goal: Goal) -> list[dict]:
    """One annual target a year of the goal (at most four), and the rows its level asks for."""
    years = list(goal_years(goal))[:4]
    rows = [{"kind": Target.Kind.ANNUAL, "year": year} for year in years]
    if goal.level.indicators_need_milestones:
        rows.append({"kind": Target.Kind.MILESTONE, "year": years[-1]})
    if goal.level.change_target_needs_baseline:
        rows.insert(0, {"kind": Target.Kind.BASELINE, "year": years[0] - 1})
    return rows


def _errors_beside(form, error: ValidationError) -> list[str]:
    """The service's errors next to the form's fields; those about the targets are returned, to
    be shown by the targets."""
    if not hasattr(error, "error_dict"):
        form_errors(form, error)
        return []
    errors = error.message_dict
    target_errors = errors.pop("targets", [])
    if errors:
        form_errors(form, ValidationError(errors))
    return target_errors


def _indicator_page(request, context, form, formset, target_errors):
    context.update(
        {
            "form": form,
            "targets": formset,
            "target_errors": target_errors or [],
        }
    )
    invalid = form.errors or not formset.is_valid() or target_errors
    return TemplateResponse(
        request,
        "web/plan_indicator.html",
        context,
        status=400 if request.method == "POST" and invalid else 200,
    )


def plan_indicator_new(request, goal_pk: int):
    goal = access(request.user, Goal, goal_pk, Action.PLAN)
    form = IndicatorPlanForm(request.POST or None, user=request.user, goal=goal)
    formset = TargetFormSet(
        request.POST or None,
        prefix="mal",
        initial=[*_new_target_rows(goal), *[{}] * BLANK_TARGET_ROWS],
    )
    target_errors = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            indicator_create(
                goal=goal,
                unit=form.cleaned_data["unit"],
                code=form.cleaned_data["code"],
                **form.indicator_fields(),
                targets=target_rows(formset),
                acting_user=request.user,
            )
        except ValidationError as error:
            target_errors = _errors_beside(form, error)
        else:
            messages.success(request, _("The indicator has been created."))
            return redirect("web:goal", pk=goal.pk)
    return _indicator_page(
        request,
        {
            "title": _("New indicator"),
            "goal": goal,
            "rules": _level_rules([goal.level]),
        },
        form,
        formset,
        target_errors,
    )


def plan_indicator_edit(request, pk: int):
    indicator = access(request.user, Indicator, pk, Action.PLAN)
    goals = list(indicator.goals.select_related("level", "unit").order_by("level__order", "code"))
    goal = _back_to_goal(request, goals)
    form = IndicatorPlanForm(
        request.POST or None,
        user=request.user,
        indicator=indicator,
        initial={
            **{name: getattr(indicator, name) for name in IndicatorPlanForm.base_fields},
        },
    )
    existing = [
        {
            "kind": t.kind,
            "year": t.year,
            "value": _plain(t.value),
            "change": t.change,
            "comment": t.comment,
        }
        for t in indicator.targets.order_by("year", "kind")
    ]
    formset = TargetFormSet(
        request.POST or None, prefix="mal", initial=[*existing, *[{}] * BLANK_TARGET_ROWS]
    )
    target_errors = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            indicator_update(
                indicator=indicator,
                **form.indicator_fields(),
                targets=target_rows(formset),
                seen_version=_seen_version(request),
                acting_user=request.user,
            )
        except ValidationError as error:
            target_errors = _errors_beside(form, error)
            indicator.refresh_from_db()  # the page shows what is saved, beside what was typed
        else:
            messages.success(request, _("The indicator has been saved."))
            if goal is not None:
                return redirect("web:goal", pk=goal.pk)
            return redirect("web:unit", pk=indicator.unit_id)
    return _indicator_page(
        request,
        {
            "title": _("Edit the indicator"),
            "indicator": indicator,
            "version": _version_shown(request, indicator),
            "goal": goal,
            "goals": goals,
            "rules": _level_rules({g.level_id: g.level for g in goals}.values()),
        },
        form,
        formset,
        target_errors,
    )


def plan_activity_new(request, goal_pk: int):
    goal = access(request.user, Goal, goal_pk, Action.PLAN)
    form = ActivityPlanForm(request.POST or None, user=request.user, goal=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity_create(
                goal=goal,
                unit=data["unit"],
                code=data["code"],
                title=data["title"],
                description=data["description"],
                responsible=data["responsible"],
                origin=data["origin"],
                start=data["start"],
                end=data["end"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The activity has been created."))
            return redirect("web:goal", pk=goal.pk)
    return TemplateResponse(
        request,
        "web/plan_activity.html",
        {"title": _("New activity"), "goal": goal, "form": form},
        status=400 if form.errors else 200,
    )


def plan_activity_edit(request, pk: int):
    activity = access(request.user, Activity, pk, Action.PLAN)
    goals = list(activity.goals.select_related("level", "unit").order_by("level__order", "code"))
    goal = _back_to_goal(request, goals)
    form = ActivityPlanForm(
        request.POST or None,
        user=request.user,
        activity=activity,
        initial={name: getattr(activity, name) for name in ActivityPlanForm.base_fields},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity_update(
                activity=activity,
                title=data["title"],
                description=data["description"],
                responsible=data["responsible"],
                origin=data["origin"],
                start=data["start"],
                end=data["end"],
                seen_version=_seen_version(request),
                acting_user=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
            activity.refresh_from_db()
        else:
            messages.success(request, _("The activity has been saved."))
            if goal is not None:
                return redirect("web:goal", pk=goal.pk)
            return redirect("web:unit", pk=activity.unit_id)
    return TemplateResponse(
        request,
        "web/plan_activity.html",
        {
            "title": _("Edit the activity"),
            "activity": activity,
            "version": _version_shown(request, activity),
            "goal": goal,
            "goals": goals,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
