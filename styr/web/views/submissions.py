"""A plan or a report on its way: handed in by the unit, approved or returned by the approver
above, adopted by the deciding body. Every step through the workflow services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from styr.access.policy import Action, can
from styr.workflow.models import Submission
from styr.workflow.services import (
    submission_adopt,
    submission_approve,
    submission_for,
    submission_return,
    submission_submit,
)

from .common import access, error_messages
from .followup import followup_scope

STEP_ACTIONS = {"approve": Action.APPROVE, "return": Action.APPROVE, "adopt": Action.ADMINISTER}
STEP_FROM = {
    "submit": {Submission.State.DRAFT},
    "approve": {Submission.State.SUBMITTED},
    "return": {Submission.State.SUBMITTED, Submission.State.APPROVED},
    "adopt": {Submission.State.APPROVED},
}


def _may(user, submission: Submission, step: str) -> bool:
    """The policy's part; whether the state allows the step is the service's to say."""
    hand_in = Action.REPORT if submission.kind == Submission.Kind.REPORT else Action.PLAN
    return step in STEP_FROM and can(user, STEP_ACTIONS.get(step, hand_in), submission.unit)


def _steps_allowed(user, submission: Submission) -> list[str]:
    """The buttons the person gets: steps the state allows and the policy grants."""
    return [
        step
        for step, states in STEP_FROM.items()
        if submission.state in states and _may(user, submission, step)
    ]


@require_GET
def submission(request, pk: int):
    submission = access(request.user, Submission, pk)
    return TemplateResponse(
        request,
        "web/submission.html",
        {
            "title": str(submission),
            "submission": submission,
            "steps": submission.steps.select_related("user").order_by("created_at", "pk"),
            "allowed": _steps_allowed(request.user, submission),
            "today": datetime.date.today(),
        },
    )


@require_POST
def submission_step(request, pk: int, step: str):
    return _take(request, access(request.user, Submission, pk), step)


@require_POST
def followup_hand_in(request, unit_pk: int, period_pk: int):
    """The follow-up screen's "hand in": the unit's report for the period, to its approver."""
    unit, period = followup_scope(request, unit_pk, period_pk)
    if not can(request.user, Action.REPORT, unit):
        raise PermissionDenied(_("You may read this but not change it."))
    return _take(request, submission_for(unit=unit, period=period), "submit")


def _take(request, submission: Submission, step: str):
    if not _may(request.user, submission, step):
        raise PermissionDenied(_("This step is not yours to take now."))
    comment = request.POST.get("comment", "")
    try:
        if step == "submit":
            submission_submit(submission=submission, comment=comment, acting_user=request.user)
            messages.success(request, _("Handed in for approval."))
        elif step == "approve":
            submission_approve(submission=submission, comment=comment, acting_user=request.user)
            messages.success(request, _("Approved."))
        elif step == "return":
            submission_return(submission=submission, comment=comment, acting_user=request.user)
            messages.success(request, _("Returned to the unit for revision."))
        else:
            try:
                adopted_on = datetime.date.fromisoformat(request.POST.get("adopted_on", ""))
            except ValueError as error:
                raise ValidationError(_("Write the meeting date as YYYY-MM-DD.")) from error
            submission_adopt(
                submission=submission,
                adopted_on=adopted_on,
                reference=request.POST.get("reference", ""),
                comment=comment,
                acting_user=request.user,
            )
            messages.success(request, _("Recorded as adopted."))
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
    return redirect("web:submission", pk=submission.pk)
