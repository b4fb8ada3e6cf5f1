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
from .services import control_point_save, plan_adopt, result_save, risk_save


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


def _edit(request, unit, year, plan, *, form, obj, save, saved, titles, submit, empty=None):
    """The form of a risk, a kontrollmoment or a result: saved through `save` with the version
    the form was opened at, or shown again with what was wrong."""
    if request.method == "POST" and form.is_valid():
        try:
            save(obj=obj, seen_version=_seen_version(request), **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, saved)
            return _back(unit, year)
    return TemplateResponse(
        request,
        "internal_control/form.html",
        {
            "title": titles[obj is None],
            "unit": unit,
            "year": year,
            "plan": plan,
            "obj": obj,
            "version": _version_shown(request, obj),
            "form": form,
            "empty": empty,
            "submit": submit,
        },
        status=400 if form.errors else 200,
    )


def _initial(obj, form_class) -> dict:
    return {name: getattr(obj, name) for name in form_class.base_fields} if obj else {}


def internal_control_risk(request, unit_pk: int, year: int):
    """A new risk, or ?risk=<id> to revise one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.PLAN)
    plan = _plan(unit, year)
    risk = _chosen(request, Risk.objects.filter(plan=plan), "risk")

    def save(*, obj, **data):
        risk_save(unit=unit, year=year, risk=obj, acting_user=request.user, **data)

    return _edit(
        request,
        unit,
        year,
        plan,
        form=RiskForm(request.POST or None, initial=_initial(risk, RiskForm)),
        obj=risk,
        save=save,
        saved=_("The risk has been saved."),
        titles={True: _("New risk"), False: _("Edit the risk")},
        submit=_("Save the risk"),
    )


def internal_control_point(request, unit_pk: int, year: int):
    """A new kontrollmoment, or ?moment=<id> to revise one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.PLAN)
    plan = _plan(unit, year)
    point = _chosen(request, ControlPoint.objects.filter(plan=plan), "moment")

    def save(*, obj, **data):
        control_point_save(point=obj, acting_user=request.user, **data)

    return _edit(
        request,
        unit,
        year,
        plan,
        form=ControlPointForm(
            request.POST or None, plan=plan, initial=_initial(point, ControlPointForm)
        ),
        obj=point,
        save=save,
        saved=_("The control point has been saved."),
        titles={True: _("New control point"), False: _("Edit the control point")},
        submit=_("Save the control point"),
        empty=None
        if plan and plan.risks.exists()
        else _("Add a risk first: every control point controls a risk in the analysis."),
    )


def internal_control_result(request, unit_pk: int, year: int):
    """The result of a control (?moment=<id> chooses the control point), or ?resultat=<id> to
    revise a reported one."""
    unit = access(request.user, OrgUnit, unit_pk, Action.REPORT)
    plan = _plan(unit, year)
    row = _chosen(request, ControlResult.objects.filter(control_point__plan=plan), "resultat")
    initial = _initial(row, ControlResultForm)
    if row is None and plan is not None:
        initial = {"control_point": _chosen(request, plan.control_points.all(), "moment")}

    def save(*, obj, control_point=None, **data):
        result_save(point=control_point, row=obj, acting_user=request.user, **data)

    return _edit(
        request,
        unit,
        year,
        plan,
        form=ControlResultForm(request.POST or None, plan=plan, row=row, initial=initial),
        obj=row,
        save=save,
        saved=_("The result of the control has been saved."),
        titles={True: _("Result of a control"), False: _("Edit the result")},
        submit=_("Save the result"),
        empty=None
        if plan and plan.control_points.exists()
        else _("The plan has no control points yet."),
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
