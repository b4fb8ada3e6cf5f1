"""The monthly budget follow-up: a unit reports its forecast for the year per account group,
with a comment when the deviation passes the model's threshold, and writes an åtgärdsplan when
the forecast result is worse than the budget. In the model's deviation months (Lomma's 31/5 and
31/10) only a unit whose latest forecast was worse than the budget reports, an updated forecast
with an updated åtgärdsplan. `economy_month_problems` says what a month's report still lacks."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from styr.access.policy import Action, require
from styr.core.history import acting_as
from styr.core.versioning import save_if_unchanged
from styr.followup.models import MONTH_NAMES
from styr.organisation.models import OrgUnit

from .models import AccountGroup, ActionPlan, BudgetForecast, EconomyRules
from .selectors import (
    deviation_months,
    economy_rules,
    followup_months,
    unit_economy,
    updated_forecast_due,
)


def kronor(raw, field: str) -> Decimal:
    """An amount as a person or a ledger writes it: 1 234 567,50 or -1234567.5."""
    text = str(raw if raw is not None else "").strip()
    for space in (" ", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    text = text.replace("\u2212", "-").replace(",", ".")
    if not text:
        raise ValidationError({field: _("Give an amount in kronor.")})
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: _("Write an amount in kronor, e.g. 1 250 000,50.")}) from None
    if not value.is_finite() or value.as_tuple().exponent < -2 or abs(value) >= Decimal(10) ** 14:
        raise ValidationError({field: _("Write an amount in kronor, e.g. 1 250 000,50.")})
    return value


def economy_rules_load(*, municipality, spec) -> None:
    """Store the styrmodell's `economy:` part (none: every month, no comment threshold)."""
    values = {
        "months": sorted(set(spec.months)) if spec else list(range(1, 13)),
        "deviation_months": sorted(set(spec.deviation_months)) if spec else [],
        "comment_threshold_percent": spec.comment_threshold_percent if spec else None,
        "comment_threshold_kronor": spec.comment_threshold_kronor if spec else None,
    }
    rules = EconomyRules.objects.filter(municipality=municipality).first()
    if rules is None:
        EconomyRules.objects.create(municipality=municipality, **values)
    elif any(getattr(rules, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(rules, name, value)
        rules.save()


def comment_required(rules: EconomyRules, *, budget: Decimal, deviation: Decimal) -> bool:
    """Whether a deviation passes the model's threshold in kronor or in per cent of the budget."""
    size = abs(deviation)
    if size == 0:
        return False
    if rules.comment_threshold_kronor is not None and size > rules.comment_threshold_kronor:
        return True
    if rules.comment_threshold_percent is not None:
        if budget == 0:
            return True
        return size * 100 / abs(budget) > rules.comment_threshold_percent
    return False


def _month_name(month: int) -> str:
    return str(MONTH_NAMES[month]).lower() if 1 <= month <= 12 else str(month)


def month_open(unit: OrgUnit, year: int, month: int) -> bool:
    """Whether the unit reports in the month: one of the model's months, or a deviation month
    after a forecast worse than the budget."""
    return month in followup_months(unit.municipality_id) or updated_forecast_due(
        unit=unit, year=year, month=month
    )


def _check_month(unit: OrgUnit, year: int, month: int) -> None:
    if month in followup_months(unit.municipality_id):
        return
    if month in deviation_months(unit.municipality_id):
        if updated_forecast_due(unit=unit, year=year, month=month):
            return
        raise ValidationError(
            _(
                "In %(month)s only the units whose latest forecast was worse than the budget "
                "report an updated forecast, and %(unit)s's was not."
            )
            % {"month": _month_name(month), "unit": unit.name}
        )
    raise ValidationError(
        _("The model has no budget follow-up in %(month)s.") % {"month": _month_name(month)}
    )


def forecast_report(
    *,
    user,
    unit: OrgUnit,
    year: int,
    month: int,
    account_group: AccountGroup,
    forecast,
    comment: str,
    seen_version: int | None,
) -> BudgetForecast:
    """Report the unit's forecast for the year of one account group in a follow-up month."""
    require(user, Action.REPORT, unit)
    if account_group.municipality_id != unit.municipality_id:
        raise ValidationError(_("The account group belongs to another municipality."))
    _check_month(unit, year, month)
    amount = kronor(forecast, "forecast")
    comment = (comment or "").strip()
    figures = unit_economy(unit=unit, year=year, month=month)
    group = next((g for g in figures.groups if g.account_group.pk == account_group.pk), None)
    budget = group.budget if group else Decimal(0)
    rules = economy_rules(unit.municipality_id)
    if not comment and comment_required(rules, budget=budget, deviation=amount - budget):
        raise ValidationError(
            {
                "comment": _(
                    "The forecast differs from the budget by more than the model allows "
                    "without an explanation: write a comment on the deviation."
                )
            }
        )
    with transaction.atomic(), acting_as(user):
        row = BudgetForecast.objects.filter(
            municipality_id=unit.municipality_id,
            unit=unit,
            year=year,
            month=month,
            account_group=account_group,
        ).first()
        if row is None:
            row = BudgetForecast(
                municipality_id=unit.municipality_id,
                unit=unit,
                year=year,
                month=month,
                account_group=account_group,
            )
        elif row.forecast == amount and row.comment == comment:
            return row
        row.forecast, row.comment = amount, comment
        row.reported_by = user
        save_if_unchanged(row, seen_version=seen_version)
    return row


def action_plan_save(
    *,
    user,
    unit: OrgUnit,
    year: int,
    month: int,
    measures: str,
    responsible: str,
    due_on: datetime.date | None,
    expected_effect,
    seen_version: int | None,
) -> ActionPlan:
    """Write (or change) the unit's åtgärdsplan for a follow-up month."""
    require(user, Action.REPORT, unit)
    _check_month(unit, year, month)
    errors = {}
    measures, responsible = (measures or "").strip(), (responsible or "").strip()
    if not measures:
        errors["measures"] = _("Describe the measures.")
    if not responsible:
        errors["responsible"] = _("Name who is responsible.")
    if due_on is None:
        errors["due_on"] = _("Give the date the measures are to be done by.")
    try:
        effect = kronor(expected_effect, "expected_effect")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        plan = ActionPlan.objects.filter(
            municipality_id=unit.municipality_id, unit=unit, year=year, month=month
        ).first() or ActionPlan(
            municipality_id=unit.municipality_id, unit=unit, year=year, month=month
        )
        plan.measures, plan.responsible = measures, responsible
        plan.due_on, plan.expected_effect = due_on, effect
        save_if_unchanged(plan, seen_version=seen_version)
    return plan


def economy_month_problems(unit: OrgUnit, year: int, month: int) -> list[str]:
    """What the unit's budget follow-up of the month still lacks before it can be handed in."""
    figures = unit_economy(unit=unit, year=year, month=month)
    if figures.is_empty:
        return []
    updating = month not in followup_months(unit.municipality_id)
    if updating and not updated_forecast_due(unit=unit, year=year, month=month):
        return []
    problems = [
        _("Report the forecast for the year for %(group)s.") % {"group": g.account_group}
        for g in figures.groups
        if g.forecast_row is None
    ]
    worse = figures.deviation < 0
    has_plan = ActionPlan.objects.filter(
        municipality_id=unit.municipality_id, unit=unit, year=year, month=month
    ).exists()
    if worse and not has_plan:
        problems.append(
            _(
                "The forecast result is %(amount)s kronor worse than the budget: write an action "
                "plan."
            )
            % {"amount": f"{-figures.deviation:,.0f}".replace(",", "\u00a0")}
        )
    elif updating and not has_plan:
        problems.append(
            _(
                "The updated forecast after a negative deviation comes with an updated action "
                "plan: write one, even if the forecast is now within the budget."
            )
        )
    return problems
