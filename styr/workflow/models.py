"""The approval workflow of a unit's plan for a year and of its report for a follow-up period:
utkast → inskickad → godkänd (by the godkännare above) → fastställd (by the body that decides,
with meeting date and paragraph), with return for revision and a comment at every step."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styr.core.history import track_history
from styr.core.models import TenantModel, TimestampedModel
from styr.core.versioning import VersionedModel
from styr.followup.models import ReportingPeriod
from styr.organisation.models import Municipality, OrgUnit


class Submission(VersionedModel, TenantModel):
    class Kind(models.TextChoices):
        PLAN = "plan", pgettext_lazy("workflow", "plan")
        REPORT = "report", _("follow-up report")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        ADOPTED = "adopted", _("adopted")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("period"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    adopted_on = models.DateField(_("adopted on (meeting date)"), null=True, blank=True)
    adopted_reference = models.CharField(_("paragraph"), max_length=200, blank=True)

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "unit__path", "year"]
        verbose_name = _("plan or report in the workflow")
        verbose_name_plural = _("plans and reports in the workflow")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year"],
                condition=Q(kind="plan"),
                name="submission_one_plan_per_unit_and_year",
            ),
            models.UniqueConstraint(
                fields=["municipality", "unit", "period"],
                condition=Q(kind="report"),
                name="submission_one_report_per_unit_and_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="plan", period__isnull=True)
                | Q(kind="report", period__isnull=False),
                name="submission_report_has_a_period",
            ),
        ]

    def __str__(self) -> str:
        what = self.period.name if self.period_id else str(self.year)
        return f"{self.get_kind_display().capitalize()} {what} – {self.unit}"


class WorkflowStep(TenantModel):
    """One step of a submission's way, with the comment the person gave."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="steps", verbose_name=_("submission")
    )
    from_state = models.CharField(_("from"), max_length=20, choices=Submission.State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=Submission.State.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["submission_id", "created_at", "pk"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        indexes = [models.Index(fields=["municipality", "submission"], name="workflowstep_idx")]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class Notification(TimestampedModel):
    """A message in a person's list in Styr; the same text goes out by mail."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    text = models.TextField(_("text"))
    # Reminders carry a key, so that the same reminder is never sent twice.
    key = models.CharField(_("key"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_key_once"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text
