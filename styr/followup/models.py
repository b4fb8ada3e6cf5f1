"""Follow-up: the dated reporting periods and what units report in them.

A period is generated from the styrmodell's period definitions for one year (one period per month
the definition lists). Units report measurements (utfall) per gender, a forecast for the year, the
status of activities and assignments, and an assessment of each goal with analysis and åtgärder.
"""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel
from styr.core.versioning import VersionedModel
from styr.governance.models import ActivityStatus, AssessmentValue, PeriodDefinition
from styr.organisation.models import OrgUnit
from styr.planning.models import Activity, Assignment, Goal, Indicator

MONTH_NAMES = [
    "",
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]

VALUE_DIGITS = {"max_digits": 18, "decimal_places": 4}


class ReportingPeriod(TenantModel):
    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        DECIDED = "decided", _("decided")

    definition = models.ForeignKey(
        PeriodDefinition,
        on_delete=models.PROTECT,
        related_name="reporting_periods",
        verbose_name=_("period definition"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("last month covered"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reference = models.CharField(
        _("decision"), max_length=200, blank=True, help_text=_("Body, meeting and paragraph.")
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "year", "month", "definition__order"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "definition", "year", "month"],
                name="reportingperiod_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="reportingperiod_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if len(self.definition.through_months) > 1:
            return f"{self.definition.name} {MONTH_NAMES[self.month].lower()} {self.year}"
        return f"{self.definition.name} {self.year}"

    @property
    def starts_on(self) -> datetime.date:
        # Follow-up is cumulative: every period covers the year up to its last month.
        return datetime.date(self.year, 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def is_final(self) -> bool:
        return self.definition.kind == PeriodDefinition.Kind.FINAL

    @property
    def is_decided(self) -> bool:
        return self.state == self.State.DECIDED

    def deadline_for(self, unit_type_key: str) -> datetime.date | None:
        days = self.definition.deadlines.get(unit_type_key)
        if days is None:
            return None
        return self.ends_on + datetime.timedelta(days=days)


class Reported(TenantModel):
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )

    class Meta:
        abstract = True


class StatusReport(Reported):
    """The status of an activity or an assignment at a period, on the model's scale."""

    status = models.ForeignKey(
        ActivityStatus, on_delete=models.PROTECT, related_name="+", verbose_name=_("status")
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        abstract = True


class Gender(models.TextChoices):
    # As Kolada writes them.
    TOTAL = "T", _("total")
    WOMEN = "K", _("women")
    MEN = "M", _("men")


class Measurement(VersionedModel, Reported):
    """An indicator's outcome (utfall) for one unit, one period and one gender."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered")
        DERIVED = "derived", _("derived from women and men")
        IMPORT = "import", _("imported")
        KOLADA = "kolada", _("Kolada")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("period"),
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    value = models.DecimalField(_("outcome"), **VALUE_DIGITS)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )

    history = track_history()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period", "indicator", "unit", "gender"],
                name="measurement_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.gender}: {self.value}"


class Forecast(VersionedModel, Reported):
    """The unit's forecast of the year's outcome (prognos helår) at one period, with its comment."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("indicator")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="forecasts",
        verbose_name=_("period"),
    )
    value = models.DecimalField(_("forecast for the year"), null=True, blank=True, **VALUE_DIGITS)
    comment = models.TextField(_("comment"), blank=True)

    history = track_history()

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period", "indicator", "unit"], name="forecast_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}"


class ActivityReport(StatusReport):
    subject_field = "activity"
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="reports", verbose_name=_("activity")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="activity_reports",
        verbose_name=_("period"),
    )

    history = track_history()

    class Meta:
        verbose_name = _("activity status")
        verbose_name_plural = _("activity statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period", "activity"], name="activityreport_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.period}: {self.status}"


class AssignmentReport(StatusReport):
    subject_field = "assignment"
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="reports", verbose_name=_("assignment")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="assignment_reports",
        verbose_name=_("period"),
    )

    history = track_history()

    class Meta:
        verbose_name = _("assignment status")
        verbose_name_plural = _("assignment statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period", "assignment"], name="assignmentreport_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.period}: {self.status}"


class Assessment(VersionedModel, TenantModel):
    """A goal's assessment at a period: the suggested value with its reasons, and the choice."""

    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("goal")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("period"),
    )
    value = models.ForeignKey(
        AssessmentValue,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("assessment"),
    )
    suggested_value = models.ForeignKey(
        AssessmentValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested assessment"),
    )
    suggestion_reasons = models.JSONField(_("reasons for the suggestion"), default=list, blank=True)
    motivation = models.TextField(
        _("motivation"),
        blank=True,
        help_text=_("Why the assessment differs from the suggestion."),
    )
    analysis = models.TextField(_("analysis"), blank=True)
    next_year = models.TextField(_("work next year"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )

    history = track_history()

    class Meta:
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period", "goal"], name="assessment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.period}: {self.value}"


class CorrectiveAction(TenantModel):
    """An åtgärd: what will be done about a goal not fully met, by whom, by when."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="corrective_actions",
        verbose_name=_("assessment"),
    )
    description = models.TextField(_("what"))
    responsible = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("by when"))

    history = track_history()

    class Meta:
        ordering = ["assessment_id", "due_on", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["municipality", "assessment"], name="correctiveaction_idx")]

    def __str__(self) -> str:
        return self.description
