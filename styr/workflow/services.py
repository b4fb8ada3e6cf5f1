"""Writes for the workflow: each step checks the permission policy, records who and why, tells
the people concerned (in Styr and by mail, after the step is saved), and locks what is decided."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from styr.access.policy import Action, require, users_who_can
from styr.core.history import records_acting_user
from styr.economy.services import economy_month_problems
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit

from .models import Notification, Submission, WorkflowStep

State = Submission.State


def submission_for(
    *, unit: OrgUnit, year: int | None = None, period: ReportingPeriod | None = None
) -> Submission:
    """The unit's plan for a year, or its report for a period; a draft until it is submitted."""
    if period is not None:
        submission, _created = Submission.objects.get_or_create(
            municipality_id=unit.municipality_id,
            unit=unit,
            kind=Submission.Kind.REPORT,
            period=period,
            defaults={"year": period.year},
        )
    else:
        submission, _created = Submission.objects.get_or_create(
            municipality_id=unit.municipality_id,
            unit=unit,
            kind=Submission.Kind.PLAN,
            year=year,
        )
    return submission


def notify(*, users, municipality_id: int, text: str, key: str = "") -> int:
    """A message in each person's list in Styr, and the same by mail once the step is saved."""
    sent = 0
    for user in users:
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        Notification.objects.create(municipality_id=municipality_id, user=user, text=text, key=key)
        sent += 1
        if user.email:
            transaction.on_commit(
                lambda address=user.email: send_mail(
                    _("Styr: %(text)s") % {"text": text[:60]},
                    text,
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                    fail_silently=True,
                )
            )
    return sent


def _action_for(submission: Submission) -> str:
    return Action.REPORT if submission.kind == Submission.Kind.REPORT else Action.PLAN


def _step(submission: Submission, to_state: str, acting_user, comment: str) -> None:
    WorkflowStep.objects.create(
        municipality_id=submission.municipality_id,
        submission=submission,
        from_state=submission.state,
        to_state=to_state,
        user=acting_user,
        comment=comment.strip(),
    )
    submission.state = to_state
    submission.save()


def _expect(submission: Submission, *states: str) -> None:
    if submission.state not in states:
        raise ValidationError(
            _("%(what)s is %(state)s; this step is not possible now.")
            % {"what": submission, "state": submission.get_state_display()}
        )


def _submitters(submission: Submission):
    return users_who_can(_action_for(submission), submission.unit)


def _check_budget_followup(submission: Submission) -> None:
    """A report of a period that follows the budget goes up only with the month's forecasts (and
    an åtgärdsplan when the result is worse than the budget)."""
    period = submission.period
    if period is None or "budget" not in period.definition.follows_up:
        return
    problems = economy_month_problems(submission.unit, period.year, period.month)
    if problems:
        raise ValidationError([_("The budget follow-up of the month is not complete:"), *problems])


@transaction.atomic
@records_acting_user
def submission_submit(*, submission: Submission, acting_user=None, comment: str = "") -> Submission:
    require(acting_user, _action_for(submission), submission.unit)
    _expect(submission, State.DRAFT)
    _check_budget_followup(submission)
    _step(submission, State.SUBMITTED, acting_user, comment)
    notify(
        users=users_who_can(Action.APPROVE, submission.unit),
        municipality_id=submission.municipality_id,
        text=_("%(what)s has been submitted for your approval.") % {"what": submission},
    )
    return submission


@transaction.atomic
@records_acting_user
def submission_approve(
    *, submission: Submission, acting_user=None, comment: str = ""
) -> Submission:
    require(acting_user, Action.APPROVE, submission.unit)
    _expect(submission, State.SUBMITTED)
    _step(submission, State.APPROVED, acting_user, comment)
    notify(
        users=_submitters(submission),
        municipality_id=submission.municipality_id,
        text=_("%(what)s has been approved.") % {"what": submission},
    )
    return submission


@transaction.atomic
@records_acting_user
def submission_return(*, submission: Submission, acting_user=None, comment: str) -> Submission:
    """Back to the unit for revision; the comment says what to revise."""
    require(acting_user, Action.APPROVE, submission.unit)
    _expect(submission, State.SUBMITTED, State.APPROVED)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be revised.")})
    _step(submission, State.DRAFT, acting_user, comment)
    notify(
        users=_submitters(submission),
        municipality_id=submission.municipality_id,
        text=_("%(what)s has been returned for revision: %(comment)s")
        % {"what": submission, "comment": comment.strip()},
    )
    return submission


@transaction.atomic
@records_acting_user
def submission_adopt(
    *,
    submission: Submission,
    adopted_on: datetime.date,
    reference: str,
    acting_user=None,
    comment: str = "",
) -> Submission:
    """Record that the deciding body has adopted it (fastställt), with meeting date and
    paragraph. From now on it is locked."""
    require(acting_user, Action.ADMINISTER, submission.unit)
    _expect(submission, State.APPROVED)
    if not reference.strip():
        raise ValidationError({"reference": _("Give the paragraph of the decision.")})
    submission.adopted_on = adopted_on
    submission.adopted_reference = reference.strip()
    _step(submission, State.ADOPTED, acting_user, comment)
    notify(
        users=_submitters(submission),
        municipality_id=submission.municipality_id,
        text=_("%(what)s was adopted on %(date)s (%(reference)s).")
        % {"what": submission, "date": adopted_on, "reference": submission.adopted_reference},
    )
    # The document as decided, made in the background and kept for good. Imported here: the
    # reports read the workflow (plan locks), so a module-level import would go round in a circle.
    from styr.reports.services import document_decided_request

    document_decided_request(submission=submission, acting_user=acting_user)
    return submission


def reminders_send(*, today: datetime.date | None = None, days: int | None = None) -> int:
    """Remind the reporters of every unit whose report is still a draft when its deadline is
    `days` or fewer days away. Each reminder is sent once per person, unit and period."""
    today = today or datetime.date.today()
    days = settings.STYR_REMINDER_DAYS if days is None else days
    sent = 0
    periods = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).select_related(
        "definition"
    )
    for period in periods:
        if period.ends_on > today + datetime.timedelta(days=120):
            continue
        units = OrgUnit.objects.filter(
            municipality_id=period.municipality_id, type__key__in=period.definition.deadlines
        ).select_related("type")
        handed_in = set(
            Submission.objects.filter(period=period)
            .exclude(state=State.DRAFT)
            .values_list("unit_id", flat=True)
        )
        for unit in units:
            deadline = period.deadline_for(unit.type.key)
            if unit.pk in handed_in or not (today <= deadline <= today + datetime.timedelta(days)):
                continue
            sent += notify(
                users=users_who_can(Action.REPORT, unit),
                municipality_id=unit.municipality_id,
                text=_("Reminder: the report for %(period)s from %(unit)s is due on %(deadline)s.")
                % {"period": period.name, "unit": unit.name, "deadline": deadline},
                key=f"reminder:{period.pk}:{unit.pk}",
            )
    return sent


def plan_lock_message(*, unit_id: int, years) -> str | None:
    """Why the plan of a unit for any of these years may not be changed, or None if it may."""
    submission = (
        Submission.objects.filter(kind=Submission.Kind.PLAN, unit_id=unit_id, year__in=list(years))
        .exclude(state=State.DRAFT)
        .select_related("unit")
        .first()
    )
    if submission is None:
        return None
    return _(
        "The plan of %(unit)s for %(year)s is %(state)s and cannot be changed. Ask the approver "
        "to return it for revision."
    ) % {
        "unit": submission.unit.name,
        "year": submission.year,
        "state": submission.get_state_display(),
    }


def notifications_mark_read(*, user) -> int:
    from django.utils import timezone

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
