"""Intern kontroll in the web: the unit's risk analysis with the matrix, the internkontrollplan
and the results of the controls, with forms to write them through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from styr.access.policy import Action, can
from styr.organisation.models import OrgUnit
from styr.web.views.common import access, form_errors

from .forms import (
    CONSEQUENCE,
    PROBABILITY,
    AdoptForm,
    ControlPointForm,
    ControlResultForm,
    RiskForm,
)
from .models import ControlPlan, ControlPoint, ControlResult, Risk
from .selectors import followup_by_period, plan_counts, plan_followup, risk_matrix
from .services import (
    control_point_create,
    control_point_update,
    plan_adopt,
    result_create,
    result_update,
    risk_create,
    risk_update,
)


def _seen_version(request) -> int | None:
    seen = request.POST.get("version", "")
    return int(seen) if seen.isdigit() else None


def _version_shown(request, obj) -> int | None:
    """The version the form was opened at, kept through a refused save."""
    if obj is None:
        return None
    seen = _seen_version(request) if request.method == "POST" else None
    return seen if seen is not None else obj.version


def _plan(unit: OrgUnit, year: int) -> ControlPlan | None:
    return ControlPlan.objects.filter(unit=unit, year=year).first()


def _chosen(request, queryset, parameter: str):
    """The row named by ?parameter= in the queryset, or None when none is named; 404 for a row
    that is not there."""
    chosen = request.GET.get(parameter, "")
    if not chosen:
        return None
    row = queryset.filter(pk=chosen).first() if chosen.isdigit() else None
    if row is None:
        raise Http404
    return row


def _back(unit: OrgUnit, year: int):
    return redirect("web:internal_control", unit_pk=unit.pk, year=year)


def internal_control(request, unit_pk: int, year: int, adopt_form=None, status=200):
    unit = access(request.user, OrgUnit, unit_pk)
    plan = _plan(unit, year)
    adopted = plan is not None and plan.adopted
    return TemplateResponse(
        request,
        "internal_control/plan.html",
        {
            "title": _("Internal control %(year)s") % {"year": year},
            "unit": unit,
            "year": year,
            "plan": plan,
            "matrix": risk_matrix(plan),
            "probability_labels": [label for _n, label in PROBABILITY],
            "consequence_labels": dict(CONSEQUENCE),
            "risks": list(plan.risks.order_by("number")) if plan else [],
            "followup": plan_followup(plan),
            "periods": followup_by_period(plan),
            # The plans below, as far as the person may see them (a grant further down sees
            # this unit, not its other branches).
            "overview": [
                p
                for p in plan_counts(unit=unit, year=year)
                if p.unit_id != unit.pk and can(request.user, Action.VIEW, p)
            ],
            "may_plan": not adopted and can(request.user, Action.PLAN, unit),
            "may_report": plan is not None and can(request.user, Action.REPORT, unit),
            "may_adopt": plan is not None
            and not adopted
            and can(request.user, Action.ADMINISTER, unit),
            "adopt_form": adopt_form or AdoptForm(),
        },
        status=status,
    )


def internal_control_risk(request, unit_pk: int, year: int):
    """A new risk, or ?risk=<id> to revise one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.PLAN)
    plan = _plan(unit, year)
    risk = _chosen(request, Risk.objects.filter(plan=plan), "risk")
    initial = {}
    if risk is not None:
        initial = {name: getattr(risk, name) for name in RiskForm.base_fields}
    form = RiskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if risk is None:
                risk_create(unit=unit, year=year, acting_user=request.user, **data)
            else:
                risk_update(
                    risk=risk,
                    seen_version=_seen_version(request),
                    acting_user=request.user,
                    **data,
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The risk has been saved."))
            return _back(unit, year)
    return TemplateResponse(
        request,
        "internal_control/form.html",
        {
            "title": _("Edit the risk") if risk else _("New risk"),
            "unit": unit,
            "year": year,
            "plan": plan,
            "obj": risk,
            "version": _version_shown(request, risk),
            "form": form,
            "submit": _("Save the risk"),
        },
        status=400 if form.errors else 200,
    )


def internal_control_point(request, unit_pk: int, year: int):
    """A new kontrollmoment, or ?moment=<id> to revise one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.PLAN)
    plan = _plan(unit, year)
    point = _chosen(request, ControlPoint.objects.filter(plan=plan), "moment")
    initial = {}
    if point is not None:
        initial = {name: getattr(point, name) for name in ControlPointForm.base_fields}
    form = ControlPointForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if point is None:
                control_point_create(acting_user=request.user, **data)
            else:
                control_point_update(
                    point=point,
                    seen_version=_seen_version(request),
                    acting_user=request.user,
                    **data,
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The control point has been saved."))
            return _back(unit, year)
    return TemplateResponse(
        request,
        "internal_control/form.html",
        {
            "title": _("Edit the control point") if point else _("New control point"),
            "unit": unit,
            "year": year,
            "plan": plan,
            "obj": point,
            "version": _version_shown(request, point),
            "form": form,
            "empty": None
            if plan and plan.risks.exists()
            else _("Add a risk first: every control point controls a risk in the analysis."),
            "submit": _("Save the control point"),
        },
        status=400 if form.errors else 200,
    )


def internal_control_result(request, unit_pk: int, year: int):
    """The result of a control (?moment=<id> chooses the control point), or ?resultat=<id> to
    revise a reported one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.REPORT)
    plan = _plan(unit, year)
    row = _chosen(request, ControlResult.objects.filter(control_point__plan=plan), "resultat")
    initial = {}
    if row is not None:
        initial = {name: getattr(row, name) for name in ControlResultForm.base_fields}
    elif plan is not None:
        point = _chosen(request, plan.control_points.all(), "moment")
        initial = {"control_point": point}
    form = ControlResultForm(request.POST or None, plan=plan, row=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if row is None:
                result_create(point=data.pop("control_point"), acting_user=request.user, **data)
            else:
                result_update(
                    row=row, seen_version=_seen_version(request), acting_user=request.user, **data
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The result of the control has been saved."))
            return _back(unit, year)
    return TemplateResponse(
        request,
        "internal_control/form.html",
        {
            "title": _("Edit the result") if row else _("Result of a control"),
            "unit": unit,
            "year": year,
            "plan": plan,
            "obj": row,
            "version": _version_shown(request, row),
            "form": form,
            "empty": None
            if plan and plan.control_points.exists()
            else _("The plan has no control points yet."),
            "submit": _("Save the result"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def internal_control_adopt(request, unit_pk: int, year: int):
    unit = access(request.user, OrgUnit, unit_pk, Action.ADMINISTER)
    form = AdoptForm(request.POST)
    if form.is_valid():
        plan = _plan(unit, year)
        try:
            if plan is None:
                raise ValidationError(
                    _("There is no internal control plan for %(year)s yet.") % {"year": year}
                )
            plan_adopt(plan=plan, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The internal control plan has been adopted."))
            return _back(unit, year)
    return internal_control(request, unit_pk, year, adopt_form=form, status=400)
