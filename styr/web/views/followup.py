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
from styr.followup.rule import Suggestion, assessment_suggest_many
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


def followup_scope(request, unit_pk: int, period_pk: int, *, with_model: bool = False):
    """The unit and period of a follow-up screen, both through the policy. The period comes with
    its definition (every check of what it follows up reads it), and `with_model` also with the
    styrmodell whose assessment rule the suggestions read (without its long texts)."""
    unit = access(request.user, OrgUnit, unit_pk)
    return unit, _period(request, unit, period_pk, with_model=with_model)


def _period(request, unit, period_pk: int, *, with_model: bool):
    if with_model:
        periods = ReportingPeriod.objects.select_related("definition__model").defer(
            *(f"definition__model__{name}" for name in _MODEL_TEXTS)
        )
    else:
        periods = ReportingPeriod.objects.select_related("definition")
    return access(request.user, periods, period_pk, municipality_id=unit.municipality_id)


def _row_scope(request, unit_pk: int, period_pk: int, rows, row_pk: int, *, with_model=False):
    """The unit, the period and the unit's row that a save changes, refused as `followup_scope`
    and `access(..., Action.REPORT)` on the row refuse (404 before 403). The row is read with its
    unit, which the policy asks about for both: one read fewer on every save."""
    row = access(request.user, rows.select_related("unit"), row_pk, unit_id=unit_pk)
    unit = row.unit
    period = _period(request, unit, period_pk, with_model=with_model)
    if not can(request.user, Action.REPORT, row):
        raise PermissionDenied(_("You may read this but not change it."))
    return unit, period, row


# What the follow-up screen never reads of the styrmodell.
_MODEL_TEXTS = ("vision", "report_layouts", "source_text")


def _row_context(request, unit, period):
    """What every row of the screen needs: an htmx save draws its own row from this alone."""
    return {
        "unit": unit,
        "period": period,
        "may_report": can(request.user, Action.REPORT, unit) and period.state == "open",
    }


def _statuses(unit):
    return ActivityStatus.objects.filter(municipality_id=unit.municipality_id).order_by("order")


def _scale(unit):
    return AssessmentValue.objects.filter(municipality_id=unit.municipality_id).order_by("order")


def _followup_context(request, unit, period):
    rows = selectors.followup_rows(unit=unit, period=period)
    # One municipality has one styrmodell, so its scale is the rule's scale too.
    scale = list(_scale(unit))
    return {
        **_row_context(request, unit, period),
        "title": _("Follow-up: %(unit)s, %(period)s") % {"unit": unit.name, "period": period.name},
        "statuses": _statuses(unit),
        "scale": scale,
        "report": Submission.objects.filter(
            unit=unit, period=period, kind=Submission.Kind.REPORT
        ).first(),
        "suggestions": assessment_suggest_many(
            goals=[g for g, _a in rows["goals"]], period=period, scale=scale
        ),
        **rows,
    }


@require_GET
def followup(request, unit_pk: int, period_pk: int):
    unit, period = followup_scope(request, unit_pk, period_pk, with_model=True)
    context = _followup_context(request, unit, period)
    if unit.depth <= 1 and unit.type.is_political and "goals" in period.definition.follows_up:
        context["overall"] = overall_judgement_names(municipality_id=unit.municipality_id)
    return TemplateResponse(request, "web/followup.html", context)


def _row_response(request, unit, period, errors, template, row_context):
    """The changed row for htmx, read on its own (a save on the deadline day must not cost a
    whole screen); without htmx, the whole screen again with the errors, or back to it."""
    status = 422 if errors else 200
    if request.headers.get("HX-Request"):
        context = {**_row_context(request, unit, period), **row_context()}
        context.update(errors=errors, saved=not errors)
        return TemplateResponse(request, template, context, status=status)
    if errors:
        context = {**_followup_context(request, unit, period), "errors": errors}
        return TemplateResponse(request, "web/followup.html", context, status=status)
    return redirect("web:followup", unit_pk=unit.pk, period_pk=period.pk)


@require_POST
def followup_indicator(request, unit_pk: int, period_pk: int, indicator_pk: int):
    unit, period, indicator = _row_scope(
        request, unit_pk, period_pk, Indicator.objects.all(), indicator_pk
    )
    genders = ["T", "K", "M"] if indicator.gender_split else ["T"]
    errors = []
    report = None
    try:
        report = measurement_report(
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
    return _row_response(
        request,
        unit,
        period,
        errors,
        "web/_indicator_row.html",
        lambda: {"row": _indicator_row(indicator, period, report)},
    )


def _indicator_row(indicator, period, report):
    """The row after a save: the rows the save has just locked and written are what is stored
    (no need to read them again); after a refusal, read as the screen reads it."""
    if report is None:
        return selectors.followup_indicator_row(indicator=indicator, period=period)
    return selectors.IndicatorRow(indicator, report.measurements, report.forecast)


@require_POST
def followup_activity(request, unit_pk: int, period_pk: int, activity_pk: int):
    unit, period, activity = _row_scope(
        request, unit_pk, period_pk, Activity.objects.all(), activity_pk
    )
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
    return _row_response(
        request,
        unit,
        period,
        errors,
        "web/_activity_row.html",
        lambda: {
            "item": selectors.followup_activity_item(activity=activity, period=period),
            "statuses": _statuses(unit),
        },
    )


@require_POST
def followup_goal(request, unit_pk: int, period_pk: int, goal_pk: int):
    unit, period, goal = _row_scope(
        request, unit_pk, period_pk, Goal.objects.select_related("level"), goal_pk, with_model=True
    )
    # The scale once: the value chosen is one of it, and the row drawn afterwards shows it.
    scale = list(_scale(unit))
    chosen = request.POST.get("value") or ""
    value = next((v for v in scale if str(v.pk) == chosen), None)
    errors = []
    assessment = None
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
                assessment = assessment_submit(
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
    return _row_response(
        request,
        unit,
        period,
        errors,
        "web/_goal_form.html",
        lambda: _goal_row_context(goal, period, scale, assessment),
    )


def _goal_row_context(goal, period, scale, assessment):
    """The goal's form after a save: the assessment the save has just written (with its value,
    suggestion and åtgärder, so nothing is read back) and the suggestion stored with it; after a
    refusal, the assessment as stored and the suggestion worked out afresh."""
    if assessment is not None:
        suggestion = Suggestion(assessment.suggested_value, None, assessment.suggestion_reasons)
        item = (goal, assessment)
    else:
        item = selectors.followup_goal_item(goal=goal, period=period)
        suggestion = assessment_suggest_many(goals=[goal], period=period, scale=scale)[goal.pk]
    return {"item": item, "scale": scale, "suggestions": {goal.pk: suggestion}}
