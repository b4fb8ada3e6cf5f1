"""The målkedja: goals, indicators with their targets, activities and assignments."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel
from styr.core.versioning import VersionedModel
from styr.governance.models import FocusArea, GoalLevel
from styr.organisation.models import OrgUnit, code_validator


def _end_after_start(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=_("The end date cannot be before the start date."),
    )


def _unique_code(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["municipality", "code"], name=f"{model_name}_unique_code_per_municipality"
    )


class GoalQuerySet(models.QuerySet):
    def in_force(self, year: int) -> "GoalQuerySet":
        """Goals that hold at some time during `year` and are not drafts."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=datetime.date(year, 1, 1)),
            valid_from__lte=datetime.date(year, 12, 31),
        ).exclude(status=Goal.Status.DRAFT)

    def in_subtree(self, unit: OrgUnit) -> "GoalQuerySet":
        return self.filter(municipality_id=unit.municipality_id, unit__path__startswith=unit.path)


class Goal(VersionedModel, TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    level = models.ForeignKey(
        GoalLevel, on_delete=models.PROTECT, related_name="goals", verbose_name=_("goal level")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="goals", verbose_name=_("owning unit")
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="GoalLink",
        related_name="children",
        blank=True,
        verbose_name=_("parent goals"),
    )
    focus_areas = models.ManyToManyField(
        FocusArea, through="GoalFocusArea", blank=True, verbose_name=_("focus areas")
    )
    directed_to = models.ManyToManyField(
        OrgUnit,
        through="GoalDirectedTo",
        related_name="directed_goals",
        blank=True,
        verbose_name=_("directed to"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("previous year's goal"),
    )

    objects = GoalQuerySet.as_manager()

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "level__order", "code"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            _unique_code("goal"),
            _end_after_start("valid_from", "valid_to", "goal_valid_to_after_valid_from"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.level_id
            and self.unit_id
            and not self.level.owner_unit_types.filter(pk=self.unit.type_id).exists()
        ):
            errors["unit"] = _("Goals at the level %(level)s cannot be owned by a %(type)s.") % {
                "level": self.level.name,
                "type": self.unit.type.name,
            }
        if self.level_id and self.texts:
            unknown = set(self.texts) - set(self.level.text_field_labels())
            if unknown:
                errors["texts"] = _("The level %(level)s has no text field %(fields)s.") % {
                    "level": self.level.name,
                    "fields": ", ".join(sorted(unknown)),
                }
        if errors:
            raise ValidationError(errors)


class GoalLink(TenantModel):
    """The röda tråd: a goal contributes to a parent goal at a higher level."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="child_links")

    history = track_history()

    class Meta:
        verbose_name = _("link to a parent goal")
        verbose_name_plural = _("links to parent goals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "goal", "parent"], name="goallink_unique"
            ),
            models.CheckConstraint(
                condition=~Q(goal=F("parent")),
                name="goallink_not_to_itself",
                violation_error_message=_("A goal cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} → {self.parent}"

    def clean(self) -> None:
        super().clean()
        if not (self.goal_id and self.parent_id):
            return
        allowed = self.goal.level.parent_levels.all()
        if self.parent.level not in allowed:
            raise ValidationError(
                {
                    "parent": _("A %(level)s cannot be linked to a %(parent_level)s.")
                    % {"level": self.goal.level.name, "parent_level": self.parent.level.name}
                }
            )


class GoalFocusArea(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("focus area of a goal")
        verbose_name_plural = _("focus areas of goals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "goal", "focus_area"], name="goalfocusarea_unique"
            )
        ]


class GoalDirectedTo(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("unit a goal is directed to")
        verbose_name_plural = _("units goals are directed to")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "goal", "unit"], name="goaldirectedto_unique"
            )
        ]


class IndicatorQuerySet(models.QuerySet):
    def followed_up_in(self, period) -> "IndicatorQuerySet":
        """The indicators a follow-up period asks for: those whose subject it follows up."""
        return self.filter(subject__in=period.definition.follows_up)


class Indicator(VersionedModel, TenantModel):
    class Subject(models.TextChoices):
        # The values are the follow-up subjects of the styrmodell's periods (follows_up).
        INDICATORS = "indicators", _("indicator")
        PERSONNEL = "personnel", _("personnel key figure")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")
        NONE = "none", _("no direction")

    class Frequency(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")
        TERTIAL = "tertial", _("every tertial")
        HALF_YEAR = "half_year", _("every half year")
        YEAR = "year", _("yearly")

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("indicator")
        INFORMATION = "information", _("key figure (not target-bound)")

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered manually")
        IMPORT = "import", _("imported")
        KOLADA = "kolada", _("Kolada")

    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("owning unit")
    )
    measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.INCREASE
    )
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.YEAR
    )
    gender_split = models.BooleanField(_("split by gender"), default=False)
    additive = models.BooleanField(
        _("additive"),
        default=False,
        help_text=_("Women and men add up to the total (counts), unlike shares and averages."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDICATOR)
    subject = models.CharField(
        _("followed up as"),
        max_length=20,
        choices=Subject.choices,
        default=Subject.INDICATORS,
        help_text=_(
            "A personnel key figure is reported in every period that follows up personnel, "
            "e.g. each monthly report; an ordinary indicator in the periods that follow up "
            "indicators."
        ),
    )
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("focus area or perspective"),
        help_text=_("The focus area the indicator is followed up under, e.g. a perspective."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    kolada_kpi = models.CharField(
        _("Kolada KPI"),
        max_length=20,
        blank=True,
        validators=[code_validator],
        help_text=_("Kolada's id, e.g. N00914."),
    )
    contributes_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributors",
        verbose_name=_("contributes to"),
    )
    goals = models.ManyToManyField(
        Goal,
        through="IndicatorGoal",
        related_name="indicators",
        blank=True,
        verbose_name=_("goals"),
    )

    history = track_history()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["municipality_id", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            _unique_code("indicator"),
            models.CheckConstraint(
                condition=~Q(contributes_to=F("pk")),
                name="indicator_not_contributing_to_itself",
                violation_error_message=_("An indicator cannot contribute to itself."),
            ),
            models.CheckConstraint(
                condition=~Q(source="kolada") | ~Q(kolada_kpi=""),
                name="indicator_kolada_needs_kpi",
                violation_error_message=_("An indicator from Kolada needs a Kolada KPI id."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorGoal(TenantModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")

    history = track_history()

    class Meta:
        verbose_name = _("indicator of a goal")
        verbose_name_plural = _("indicators of goals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "goal"], name="indicatorgoal_unique"
            )
        ]

    def clean(self) -> None:
        super().clean()
        if not (self.goal_id and self.indicator_id):
            return
        limit = self.goal.level.max_indicators
        others = IndicatorGoal.objects.filter(goal=self.goal).exclude(indicator=self.indicator)
        if limit is not None and others.count() >= limit:
            raise ValidationError(
                _("A %(level)s may have at most %(limit)s indicators.")
                % {"level": self.goal.level.name, "limit": limit}
            )


class Target(VersionedModel, TenantModel):
    """Årsmål, etappmål or nollbasvärde for an indicator.

    A target may say only "increase" or "decrease" (öka/minska) without a value; some models
    then require a baseline to measure the change from.
    """

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual target")
        MILESTONE = "milestone", _("milestone")
        BASELINE = "baseline", _("baseline")

    class Change(models.TextChoices):
        NONE = "", _("a value")
        INCREASE = "increase", _("increase")
        DECREASE = "decrease", _("decrease")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    change = models.CharField(
        _("change"), max_length=20, choices=Change.choices, default=Change.NONE, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "indicator", "year", "kind"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "kind", "year"], name="target_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(change=""),
                name="target_has_value_or_change",
                violation_error_message=_("Give a value, or say increase or decrease."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="baseline") | (Q(value__isnull=False) & Q(change="")),
                name="baseline_has_value",
                violation_error_message=_("A baseline is a value."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100),
                name="target_year_in_range",
                violation_error_message=_("The year must be between 1990 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.get_change_display()
        return f"{self.get_kind_display()} {self.year}: {shown}"


class Activity(VersionedModel, TenantModel):
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("owning unit")
    )
    responsible = models.CharField(_("responsible"), max_length=200)
    origin = models.CharField(
        _("commissioned by"),
        max_length=200,
        blank=True,
        help_text=_("Where the activity comes from (uppdragsgivare)."),
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"))
    goals = models.ManyToManyField(
        Goal,
        through="ActivityGoal",
        related_name="activities",
        blank=True,
        verbose_name=_("goals"),
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "start", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            _unique_code("activity"),
            _end_after_start("start", "end", "activity_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityGoal(TenantModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("goal of an activity")
        verbose_name_plural = _("goals of activities")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "activity", "goal"], name="activitygoal_unique"
            )
        ]


class Assignment(VersionedModel, TenantModel):
    """Uppdrag: a task given by KF or a nämnd to a förvaltning, followed up like an activity."""

    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    issuer = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="issued_assignments",
        verbose_name=_("given by"),
    )
    assignee = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("given to")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    due = models.DateField(_("to be done by"), null=True, blank=True)
    goals = models.ManyToManyField(
        Goal,
        through="AssignmentGoal",
        related_name="assignments",
        blank=True,
        verbose_name=_("goals"),
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "code"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            _unique_code("assignment"),
            _end_after_start("decided_on", "due", "assignment_due_after_decision"),
            models.CheckConstraint(
                condition=~Q(issuer=F("assignee")),
                name="assignment_not_to_issuer",
                violation_error_message=_("An assignment is given to another unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.issuer_id and not self.issuer.type.is_political:
            raise ValidationError(
                {"issuer": _("An assignment is given by a political body (KF, KS or a nämnd).")}
            )


class AssignmentGoal(TenantModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("goal of an assignment")
        verbose_name_plural = _("goals of assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "assignment", "goal"], name="assignmentgoal_unique"
            )
        ]
