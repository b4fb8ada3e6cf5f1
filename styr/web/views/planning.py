"""Planning: goals at the levels the model allows, through the planning services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from styr.access.policy import Action, can, units_visible_to
from styr.governance.models import (
    GoalLevel,
)
from styr.planning.models import Goal
from styr.planning.services import goal_create, goal_update

from ..forms import GoalPlanForm
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
