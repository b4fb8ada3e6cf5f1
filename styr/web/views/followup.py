"""The follow-up screen and its row endpoints: htmx requests get the row they changed, others
the whole screen."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from styr.access.policy import Action, can
from styr.core.versioning import ConflictError
from styr.followup.models import ReportingPeriod
from styr.followup.rule import assessment_suggest_many
from styr.followup.selectors import overall_judgement_names
from styr.followup.services import (
    CorrectiveActionInput,
    activity_report,
    assessment_submit,
    measurement_report,
)
from styr.governance.models import (
    ActivityStatus,
    AssessmentValue,
)
from styr.organisation.models import OrgUnit
from styr.planning.models import Activity, Goal, Indicator
from styr.workflow.models import Submission

from .. import selectors
from .common import access, error_messages


def followup_scope(request, unit_pk: int, period_pk: int):
    """The unit and period of a follow-up screen, both through the policy."""
    unit = access(request.user, OrgUnit, unit_pk)
    period = access(request.user, ReportingPeriod, period_pk, municipality_id=unit.municipality_id)
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
        "report": Submission.objects.filter(
            unit=unit, period=period, kind=Submission.Kind.REPORT
        ).first(),
        "suggestions": assessment_suggest_many(goals=[g for g, _a in rows["goals"]], period=period),
        **rows,
    }


@require_GET
def followup(request, unit_pk: int, period_pk: int):
    unit, period = followup_scope(request, unit_pk, period_pk)
    context = _followup_context(request, unit, period)
    if unit.depth <= 1 and unit.type.is_political and "goals" in period.definition.follows_up:
        context["overall"] = overall_judgement_names(municipality_id=unit.municipality_id)
    return TemplateResponse(request, "web/followup.html", context)


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


@require_POST
def followup_indicator(request, unit_pk: int, period_pk: int, indicator_pk: int):
    unit, period = followup_scope(request, unit_pk, period_pk)
    indicator = access(request.user, Indicator, indicator_pk, Action.REPORT, unit=unit)
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
        errors = error_messages(error)
    context = _followup_context(request, unit, period)
    # An indicator the period does not ask for (refused above) is answered with its empty row.
    context["row"] = next(
        (r for r in context["indicators"] if r.indicator.pk == indicator.pk),
        selectors.IndicatorRow(indicator, {}, None),
    )
    return _row_response(request, "web/_indicator_row.html", context, errors)


@require_POST
def followup_activity(request, unit_pk: int, period_pk: int, activity_pk: int):
    unit, period = followup_scope(request, unit_pk, period_pk)
    activity = access(request.user, Activity, activity_pk, Action.REPORT, unit=unit)
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
            errors = error_messages(error)
    context = _followup_context(request, unit, period)
    context["item"] = next(item for item in context["activities"] if item[0].pk == activity.pk)
    return _row_response(request, "web/_activity_row.html", context, errors)


@require_POST
def followup_goal(request, unit_pk: int, period_pk: int, goal_pk: int):
    unit, period = followup_scope(request, unit_pk, period_pk)
    goal = access(request.user, Goal, goal_pk, Action.REPORT, unit=unit)
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
                errors = error_messages(error)
    context = _followup_context(request, unit, period)
    context["item"] = next(item for item in context["goals"] if item[0].pk == goal.pk)
    return _row_response(request, "web/_goal_form.html", context, errors)
