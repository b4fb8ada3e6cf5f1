"""The styrmodell as data: what a municipality's own rules are, loaded from its YAML file."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from styr.core.models import TenantModel
from styr.organisation.models import UnitType, code_validator


class GovernanceModel(TenantModel):
    """One municipality's styrmodell; the file it was loaded from is kept beside it."""

    name = models.CharField(_("name"), max_length=200)
    vision = models.TextField(_("vision"), blank=True)
    first_mandate_year = models.PositiveIntegerField(
        _("first year of a mandate period"),
        default=2023,
        help_text=_("Any first year of a four-year mandate period, e.g. 2023."),
    )
    assessment_rule = models.JSONField(_("assessment rule"), default=dict, blank=True)
    # The model file's `reports` part as written (styr.reports.layout reads it, with defaults).
    report_layouts = models.JSONField(_("report layouts"), default=dict, blank=True)
    source_name = models.CharField(_("source file"), max_length=300, blank=True)
    source_sha256 = models.CharField(_("checksum of the source file"), max_length=64, blank=True)
    source_text = models.TextField(_("source file contents"), blank=True)

    class Meta:
        verbose_name = _("governance model")
        verbose_name_plural = _("governance models")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="one_model_per_municipality")
        ]

    def __str__(self) -> str:
        return self.name

    def mandate_period(self, year: int) -> tuple[int, int]:
        """The first and last year of the mandate period that contains `year`."""
        start = year - (year - self.first_mandate_year) % 4
        return start, start + 3


class GoalLevel(TenantModel):
    class Validity(models.TextChoices):
        MANDATE_PERIOD = "mandate_period", _("mandate period")
        YEAR = "year", _("one year")
        YEARS = "years", _("a number of years")
        UNTIL_FURTHER = "open", _("until further notice")

    model = models.ForeignKey(
        GovernanceModel, on_delete=models.CASCADE, related_name="levels", verbose_name=_("model")
    )
    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_plural = models.CharField(_("name (plural)"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    owner_unit_types = models.ManyToManyField(
        UnitType,
        through="GoalLevelOwnerType",
        related_name="goal_levels",
        verbose_name=_("owning unit types"),
    )
    decided_by = models.ForeignKey(
        UnitType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_goal_levels",
        verbose_name=_("decided by"),
        help_text=_("The body that adopts goals at this level; empty means the owning unit."),
    )
    validity = models.CharField(
        _("validity"), max_length=20, choices=Validity.choices, default=Validity.YEAR
    )
    validity_years = models.PositiveSmallIntegerField(_("number of years"), null=True, blank=True)
    parent_levels = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="GoalLevelParent",
        related_name="child_levels",
        verbose_name=_("parent levels"),
    )
    parent_required = models.BooleanField(_("parent goal required"), default=False)
    text_fields = models.JSONField(_("text fields"), default=list, blank=True)
    max_indicators = models.PositiveSmallIntegerField(
        _("maximum number of indicators"), null=True, blank=True
    )
    directed = models.BooleanField(
        _("directed to units"),
        default=False,
        help_text=_("Goals at this level are directed to one or more units (riktade mål)."),
    )
    change_target_needs_baseline = models.BooleanField(
        _("increase/decrease needs a baseline"),
        default=False,
        help_text=_(
            "A target that only says increase or decrease needs a target or baseline value."
        ),
    )
    indicators_need_milestones = models.BooleanField(_("indicators need milestones"), default=False)

    class Meta:
        ordering = ["municipality_id", "order"]
        verbose_name = _("goal level")
        verbose_name_plural = _("goal levels")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="goallevel_unique_key_per_municipality"
            ),
            models.CheckConstraint(
                condition=~models.Q(validity="years") | models.Q(validity_years__gte=1),
                name="goallevel_years_needs_count",
                violation_error_message=_("Give the number of years the goals hold."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def text_field_labels(self) -> dict[str, str]:
        return {field["key"]: field["label"] for field in self.text_fields}


class GoalLevelOwnerType(TenantModel):
    level = models.ForeignKey(GoalLevel, on_delete=models.CASCADE, related_name="+")
    unit_type = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("owning unit type")
        verbose_name_plural = _("owning unit types")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "level", "unit_type"], name="goallevelownertype_unique"
            )
        ]


class GoalLevelParent(TenantModel):
    level = models.ForeignKey(GoalLevel, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(GoalLevel, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("parent level")
        verbose_name_plural = _("parent levels")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "level", "parent"], name="goallevelparent_unique"
            )
        ]


class FocusArea(TenantModel):
    """Målområde, perspektiv, hållbarhetsdimension or one of Agenda 2030's goals."""

    model = models.ForeignKey(GovernanceModel, on_delete=models.CASCADE, related_name="focus_areas")
    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    group = models.CharField(_("group"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality_id", "order"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="focusarea_unique_key_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.name}"


class PeriodDefinition(TenantModel):
    """A kind of follow-up the model names (tertial 1, delårsrapport …); issue-3 periods are
    generated from these for each year."""

    class Kind(models.TextChoices):
        PROGNOSIS = "prognosis", _("prognosis")
        FINAL = "final", _("final")

    model = models.ForeignKey(GovernanceModel, on_delete=models.CASCADE, related_name="periods")
    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    through_months = models.JSONField(
        _("months"), default=list, help_text=_("The last month covered; one period per month.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    follows_up = models.JSONField(_("follows up"), default=list)
    deadlines = models.JSONField(
        _("deadlines"), default=dict, help_text=_("Days after the period's end, per unit type.")
    )
    decided_by = models.ForeignKey(
        UnitType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality_id", "order"]
        verbose_name = _("reporting period definition")
        verbose_name_plural = _("reporting period definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="perioddef_unique_key_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentValue(TenantModel):
    """One step of the model's assessment scale, e.g. uppfyllt / delvis uppfyllt / ej uppfyllt."""

    model = models.ForeignKey(
        GovernanceModel, on_delete=models.CASCADE, related_name="assessment_values"
    )
    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    label = models.CharField(_("label"), max_length=100)
    prognosis_label = models.CharField(_("label in a prognosis"), max_length=100, blank=True)
    colour = models.CharField(_("colour"), max_length=7)
    is_met = models.BooleanField(_("counts as met"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality_id", "order"]
        verbose_name = _("assessment scale value")
        verbose_name_plural = _("assessment scale values")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="assessmentvalue_unique_key_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ActivityStatus(TenantModel):
    model = models.ForeignKey(
        GovernanceModel, on_delete=models.CASCADE, related_name="activity_statuses"
    )
    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    label = models.CharField(_("label"), max_length=100)
    is_deviation = models.BooleanField(
        _("deviation"), default=False, help_text=_("A comment is required for this status.")
    )
    is_done = models.BooleanField(_("done"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality_id", "order"]
        verbose_name = _("activity status")
        verbose_name_plural = _("activity statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="activitystatus_unique_key_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.label
