"""Writes for intern kontroll: the risk analysis and the internkontrollplan are planned by those
who plan for the unit and locked once adopted; the results of the controls are reported by
those who report for it, also after the plan is adopted."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.history import records_acting_user
from styr.core.versioning import save_if_unchanged
from styr.organisation.models import OrgUnit

from .models import ControlPlan, ControlPoint, ControlResult, Risk

SCALE = range(1, 5)


def plan_for(*, unit: OrgUnit, year: int) -> ControlPlan:
    """The unit's plan for the year, begun as a draft when the first risk is written."""
    plan, _created = ControlPlan.objects.get_or_create(
        municipality_id=unit.municipality_id, unit=unit, year=year
    )
    return plan


def _refuse_if_adopted(plan: ControlPlan) -> None:
    if plan.adopted:
        raise ValidationError(
            _(
                "The internal control plan for %(year)s was adopted on %(date)s (%(reference)s) "
                "and can no longer be changed."
            )
            % {"year": plan.year, "date": plan.adopted_on, "reference": plan.reference}
        )


def _next_number(model, plan: ControlPlan) -> int:
    return (model.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


def _on_scale(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in SCALE else None


def _check_risk(*, title: str, probability, consequence, response: str) -> dict:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Name the risk.")]
    if _on_scale(probability) is None:
        errors["probability"] = [_("The probability is a whole number from 1 to 4.")]
    if _on_scale(consequence) is None:
        errors["consequence"] = [_("The consequence is a whole number from 1 to 4.")]
    if response not in Risk.Response.values:
        errors["response"] = [_("Choose how the risk is handled.")]
    return errors


@transaction.atomic
@records_acting_user
def risk_save(
    *,
    title: str,
    probability: int,
    consequence: int,
    description: str = "",
    area: str = "",
    response: str = Risk.Response.CONTROL,
    unit: OrgUnit | None = None,
    year: int | None = None,
    risk: Risk | None = None,
    seen_version: int | None = None,
    acting_user=None,
) -> Risk:
    """A new risk in the unit's analysis for the year (the plan is begun if there is none), or a
    revised `risk`; refused if the plan is adopted or someone else saved the risk in between."""
    require(acting_user, Action.PLAN, risk.plan.unit if risk is not None else unit)
    errors = _check_risk(
        title=title, probability=probability, consequence=consequence, response=response
    )
    if errors:
        raise ValidationError(errors)
    if risk is None:
        plan = plan_for(unit=unit, year=year)
        _refuse_if_adopted(plan)
        risk = Risk(
            municipality_id=plan.municipality_id, plan=plan, number=_next_number(Risk, plan)
        )
    else:
        _refuse_if_adopted(risk.plan)
    risk.title, risk.description, risk.area = title.strip(), description.strip(), area.strip()
    risk.probability, risk.consequence = int(probability), int(consequence)
    risk.response = response
    risk.full_clean()
    save_if_unchanged(risk, seen_version=seen_version)
    return risk


def _clean_months(months) -> list[int]:
    cleaned = set()
    for month in months or ():
        try:
            number = int(month)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 12:
            raise ValidationError({"months": [_("A month is a number from 1 to 12.")]})
        cleaned.add(number)
    return sorted(cleaned)


def _check_point(*, plan: ControlPlan, risk: Risk, what, method, responsible, frequency) -> dict:
    errors: dict[str, list[str]] = {}
    if risk.plan_id != plan.pk:
        errors["risk"] = [_("Choose a risk in this plan.")]
    for field, value, message in (
        ("what", what, _("Say what is controlled.")),
        ("method", method, _("Say how it is controlled.")),
        ("responsible", responsible, _("Say who does the control.")),
        ("frequency", frequency, _("Say when and how often it is controlled.")),
    ):
        if not (value or "").strip():
            errors[field] = [message]
    return errors


@transaction.atomic
@records_acting_user
def control_point_save(
    *,
    risk: Risk,
    what: str,
    method: str,
    responsible: str,
    frequency: str,
    months=(),
    point: ControlPoint | None = None,
    seen_version: int | None = None,
    acting_user=None,
) -> ControlPoint:
    """A new kontrollmoment in the plan for one of its risks, or a revised one; refused if the
    plan is adopted or someone else saved it in between."""
    plan = point.plan if point is not None else risk.plan
    require(acting_user, Action.PLAN, plan.unit)
    errors = _check_point(
        plan=plan,
        risk=risk,
        what=what,
        method=method,
        responsible=responsible,
        frequency=frequency,
    )
    if errors:
        raise ValidationError(errors)
    months = _clean_months(months)
    _refuse_if_adopted(plan)
    if point is None:
        point = ControlPoint(
            municipality_id=plan.municipality_id,
            plan=plan,
            number=_next_number(ControlPoint, plan),
        )
    point.risk = risk
    point.what, point.method = what.strip(), method.strip()
    point.responsible, point.frequency = responsible.strip(), frequency.strip()
    point.months = months
    point.full_clean()
    save_if_unchanged(point, seen_version=seen_version)
    return point


@transaction.atomic
@records_acting_user
def plan_adopt(
    *, plan: ControlPlan, adopted_on: datetime.date, reference: str, acting_user=None
) -> ControlPlan:
    """Record that the nämnd has adopted the plan (meeting date and paragraph); from now on its
    risks and kontrollmoment are locked. Adopted as plans are: by the unit's administratör."""
    require(acting_user, Action.ADMINISTER, plan.unit)
    _refuse_if_adopted(plan)
    errors: dict[str, list[str]] = {}
    if adopted_on is None:
        errors["adopted_on"] = [_("Give the date of the decision.")]
    if not (reference or "").strip():
        errors["reference"] = [_("Give the paragraph of the decision.")]
    if not plan.control_points.exists():
        errors.setdefault("__all__", []).append(
            _("The plan has no control points yet; a plan without them cannot be adopted.")
        )
    if errors:
        raise ValidationError(errors)
    plan.state = ControlPlan.State.ADOPTED
    plan.adopted_on, plan.reference = adopted_on, reference.strip()
    plan.full_clean()
    plan.save()
    return plan


def _check_result(*, month, performed_on, result, deviation, deviation_description) -> dict:
    errors: dict[str, list[str]] = {}
    try:
        month_ok = 1 <= int(month) <= 12
    except (TypeError, ValueError):
        month_ok = False
    if not month_ok:
        errors["month"] = [_("Choose the month the control concerns.")]
    if performed_on is None:
        errors["performed_on"] = [_("Give the date the control was performed.")]
    if not (result or "").strip():
        errors["result"] = [_("Describe the result of the control.")]
    if deviation and not (deviation_description or "").strip():
        errors["deviation_description"] = [_("A deviation needs a description.")]
    return errors


@transaction.atomic
@records_acting_user
def result_save(
    *,
    month: int,
    performed_on: datetime.date,
    result: str,
    deviation: bool = False,
    deviation_description: str = "",
    measures: str = "",
    point: ControlPoint | None = None,
    row: ControlResult | None = None,
    seen_version: int | None = None,
    acting_user=None,
) -> ControlResult:
    """The result of a control of `point`, reported by those who report for the unit (also after
    the plan is adopted), or a revised `row`; refused if someone else saved it in between."""
    point = point or row.control_point
    require(acting_user, Action.REPORT, point.plan.unit)
    errors = _check_result(
        month=month,
        performed_on=performed_on,
        result=result,
        deviation=deviation,
        deviation_description=deviation_description,
    )
    if errors:
        raise ValidationError(errors)
    if row is None:
        row = ControlResult(municipality_id=point.municipality_id)
    row.control_point = point
    row.month, row.performed_on, row.result = int(month), performed_on, result.strip()
    row.deviation = bool(deviation)
    row.deviation_description = deviation_description.strip() if deviation else ""
    row.measures = measures.strip()
    if acting_user is not None or row.pk is None:
        row.reported_by = acting_user
    row.full_clean()
    save_if_unchanged(row, seen_version=seen_version)
    return row
