"""The budget follow-up pages: a unit's year (budget, outcome, forecast and deviation per account
group, each unit below it, the forecast and åtgärdsplan forms) and the controller's upload of the
accounting system's file."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from styr.access.policy import Action, can
from styr.followup.models import MONTH_NAMES, ReportingPeriod
from styr.organisation.models import OrgUnit
from styr.reports.imports import ImportRejected
from styr.web.views.common import access, form_errors
from styr.web.views.configuration import controlled_municipality
from styr.web.views.imports import MAX_BYTES
from styr.workflow.models import Submission

from .imports import accounting_import
from .models import AccountGroup, ActionPlan
from .selectors import (
    deviation_months,
    economy_below,
    economy_rules,
    explanations_below,
    followup_months,
    months_offered,
    unit_economy,
)
from .services import action_plan_save, economy_month_problems, forecast_report, month_open


class ForecastForm(forms.Form):
    account_group = forms.ModelChoiceField(
        label=gettext_lazy("Account group"), queryset=AccountGroup.objects.none()
    )
    forecast = forms.CharField(label=gettext_lazy("Forecast for the year (kronor)"))
    comment = forms.CharField(
        label=gettext_lazy("Comment on the deviation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_group"].queryset = AccountGroup.objects.filter(
            municipality_id=municipality_id
        )


class ActionPlanForm(forms.Form):
    measures = forms.CharField(label=gettext_lazy("Measures"), widget=forms.Textarea)
    responsible = forms.CharField(label=gettext_lazy("Responsible"), max_length=200)
    due_on = forms.DateField(
        label=gettext_lazy("To be done by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_effect = forms.CharField(label=gettext_lazy("Expected effect (kronor)"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AccountingFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel or CSV file"),
        help_text=gettext_lazy(
            "Columns Enhet, Kontogrupp, Månad, Belopp and Typ (budget or utfall)."
        ),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year of months written 1–12"), min_value=1990, max_value=2100
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("Choose an Excel file (.xlsx) or a CSV file."))
        if file.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return file


def _month(request, unit: OrgUnit, year: int) -> int:
    months = followup_months(unit.municipality_id)
    chosen = request.POST.get("manad") or request.GET.get("manad")
    allowed = {*months, *deviation_months(unit.municipality_id)}
    if chosen and chosen.isdigit() and int(chosen) in allowed:
        return int(chosen)
    today = datetime.date.today()
    if year != today.year:
        return months[-1] if year < today.year else months[0]
    passed = [m for m in months if m <= today.month]
    return passed[-1] if passed else months[0]


def _deviation_word(deviation) -> tuple[str, str]:
    if deviation > 0:
        return "success", _("better than the budget")
    if deviation < 0:
        return "danger", _("worse than the budget")
    return "neutral", _("as budgeted")


@require_http_methods(["GET", "POST"])
def economy(request, unit_pk: int, year: int):
    action = Action.REPORT if request.method == "POST" else Action.VIEW
    unit = access(request.user, OrgUnit, unit_pk, action)
    month = _month(request, unit, year)
    is_open = month_open(unit, year, month)
    may_report = is_open and can(request.user, Action.REPORT, unit)
    months = months_offered(unit=unit, year=year)
    if month not in [m for m, _deviation in months]:
        months = sorted([*months, (month, True)])
    root = OrgUnit.objects.filter(municipality_id=unit.municipality_id, depth=0).first()
    plan = ActionPlan.objects.filter(
        municipality_id=unit.municipality_id, unit=unit, year=year, month=month
    ).first()
    forecast_form = ForecastForm(municipality_id=unit.municipality_id)
    plan_form = ActionPlanForm(
        initial={
            "measures": plan.measures,
            "responsible": plan.responsible,
            "due_on": plan.due_on,
            "expected_effect": plan.expected_effect,
            "version": plan.version,
        }
        if plan
        else {}
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "plan":
            plan_form = ActionPlanForm(request.POST)
            saved = _save_plan(request, plan_form, unit, year, month)
        else:
            forecast_form = ForecastForm(request.POST, municipality_id=unit.municipality_id)
            saved = _save_forecast(request, forecast_form, unit, year, month)
        if saved:
            return redirect(f"{reverse('web:economy', args=[unit.pk, year])}?manad={month}")
        status = 422
    own = unit_economy(unit=unit, year=year, month=month)
    rows = [_row(g, forecast_form) for g in own.groups]
    total, below = economy_below(unit=unit, year=year, month=month)
    explanations = explanations_below(unit=unit, year=year, month=month)
    month_report = _month_report(unit, year, month)
    return TemplateResponse(
        request,
        "economy/economy.html",
        {
            "title": _("Economy: %(unit)s %(year)s") % {"unit": unit.name, "year": year},
            "unit": unit,
            "year": year,
            "month": month,
            "month_name": MONTH_NAMES[month],
            "months": [(m, MONTH_NAMES[m], deviation) for m, deviation in months],
            "deviation_month": month not in followup_months(unit.municipality_id),
            "month_open": is_open,
            "own": own,
            "own_word": _deviation_word(own.deviation),
            "total": total,
            "total_word": _deviation_word(total.deviation),
            "below": [
                (row, _deviation_word(row.figures.deviation), explanations[row.unit.pk])
                for row in below
                if can(request.user, Action.VIEW, row.unit)
            ],
            "month_report": month_report,
            "rows": rows,
            "forecast_errors": _errors(forecast_form, plan_form)
            if not may_report
            else _errors(forecast_form)
            if not any(r["errors"] for r in rows)
            else [],
            "rules": economy_rules(unit.municipality_id),
            "problems": economy_month_problems(unit, year, month),
            "plan": plan,
            "may_report": may_report,
            "may_import": root is not None and can(request.user, Action.ADMINISTER, root),
            "forecast_form": forecast_form,
            "plan_form": plan_form,
        },
        status=status,
    )


def _month_report(unit: OrgUnit, year: int, month: int):
    """The unit's report of the period that follows the budget in this month, if the model has
    one: where the month's follow-up is handed in and goes up to the body that decides."""
    period = next(
        (
            p
            for p in ReportingPeriod.objects.filter(
                municipality_id=unit.municipality_id, year=year, month=month
            ).select_related("definition")
            if "budget" in p.definition.follows_up
        ),
        None,
    )
    if period is None:
        return None
    report = Submission.objects.filter(
        unit=unit, kind=Submission.Kind.REPORT, period=period
    ).first()
    return {"period": period, "report": report}


def _errors(*forms_) -> list[str]:
    """Every error of the forms, for the alert above the table: where the forms that would show
    them are not drawn (a month the unit does not report in), the refusal shows there."""
    return [e for form in forms_ for errors in form.errors.values() for e in errors]


def _row(group, form) -> dict:
    """One account group's line, with what its forecast form shows: the posted values after a
    refused save of this group, otherwise this month's report or the forecast so far."""
    posted = form.is_bound and form.data.get("account_group") == str(group.account_group.pk)
    reported = group.forecast_row
    if posted:
        forecast, comment = form.data.get("forecast", ""), form.data.get("comment", "")
    else:
        forecast = f"{group.forecast_or_budget:f}".replace(".", ",")
        comment = reported.comment if reported else group.comment
    return {
        "group": group,
        "word": _deviation_word(group.deviation),
        "version": reported.version if reported else "",
        "forecast": forecast,
        "comment": comment,
        "errors": [e for errors in form.errors.values() for e in errors] if posted else [],
    }


def _save_forecast(request, form, unit, year, month) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        forecast_report(
            user=request.user,
            unit=unit,
            year=year,
            month=month,
            account_group=data["account_group"],
            forecast=data["forecast"],
            comment=data["comment"],
            seen_version=data["version"],
        )
    except ValidationError as error:
        form_errors(form, error)
        return False
    return True


def _save_plan(request, form, unit, year, month) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        action_plan_save(
            user=request.user,
            unit=unit,
            year=year,
            month=month,
            measures=data["measures"],
            responsible=data["responsible"],
            due_on=data["due_on"],
            expected_effect=data["expected_effect"],
            seen_version=data["version"],
        )
    except ValidationError as error:
        form_errors(form, error)
        return False
    return True


@require_http_methods(["GET", "POST"])
def economy_import(request):
    municipality, municipalities = controlled_municipality(request)
    context = {
        "title": _("Read in the accounting file"),
        "municipality": municipality,
        "municipalities": municipalities,
        "root": OrgUnit.objects.filter(municipality=municipality, depth=0).first(),
        "year": datetime.date.today().year,
    }
    status = 200
    if request.method == "POST":
        form = AccountingFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            context["file_name"] = upload.name
            try:
                context["summary"] = accounting_import(
                    municipality=municipality,
                    year=form.cleaned_data["year"],
                    file_name=upload.name,
                    data=upload.read(),
                    acting_user=request.user,
                )
            except ImportRejected as rejected:
                context["problems"] = rejected.problems
                status = 422
        else:
            status = 422
    else:
        form = AccountingFileForm(initial={"year": context["year"]})
    context["form"] = form
    return TemplateResponse(request, "economy/import.html", context, status=status)
