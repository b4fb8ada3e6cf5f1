"""Intern kontroll: each nämnd's (or other unit's) yearly risk analysis and internkontrollplan,
with the result of every control, its deviations and the åtgärder taken."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel
from styr.core.versioning import VersionedModel
from styr.organisation.models import OrgUnit

SCALE = [MinValueValidator(1), MaxValueValidator(4)]

# The colour of a score (sannolikhet × konsekvens) on the matrix, as the page says it.
COLOURS = (
    (3, "green", _("green")),
    (6, "yellow", _("yellow")),
    (9, "orange", _("orange")),
    (16, "red", _("red")),
)


def colour_of(score: int) -> tuple[str, str]:
    """(key, Swedish name) of the colour: 1–3 green, 4–6 yellow, 8–9 orange, 12–16 red."""
    for highest, key, label in COLOURS:
        if score <= highest:
            return key, str(label)
    raise ValueError(score)


class ControlPlan(VersionedModel, TenantModel):
    """A unit's risk analysis and internkontrollplan for a year; locked once adopted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="internal_control_plans",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    reference = models.CharField(_("decision reference"), max_length=200, blank=True)

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "year", "unit__path"]
        verbose_name = _("internal control plan")
        verbose_name_plural = _("internal control plans")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year"], name="controlplan_unique_unit_year"
            )
        ]

    def __str__(self) -> str:
        return _("Internal control plan %(year)s, %(unit)s") % {
            "year": self.year,
            "unit": self.unit.name,
        }

    @property
    def adopted(self) -> bool:
        return self.state == self.State.ADOPTED


class Risk(VersionedModel, TenantModel):
    """A risk in the analysis: sannolikhet × konsekvens on the 4 × 4 matrix."""

    class Response(models.TextChoices):
        ACCEPT = "accept", _("accept the risk")
        CONTROL = "control", _("control it in the plan")
        ACT = "act", _("act on it at once")

    plan = models.ForeignKey(
        ControlPlan, on_delete=models.CASCADE, related_name="risks", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("risk"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    area = models.CharField(_("process or area"), max_length=200, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (1–4)"), validators=SCALE)
    consequence = models.PositiveSmallIntegerField(_("consequence (1–4)"), validators=SCALE)
    response = models.CharField(
        _("handling"), max_length=10, choices=Response, default=Response.CONTROL
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "plan", "number"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "plan", "number"], name="risk_unique_number_in_plan"
            )
        ]

    def __str__(self) -> str:
        return f"R{self.number} {self.title}"

    @property
    def label(self) -> str:
        return f"R{self.number}"

    @property
    def score(self) -> int:
        return self.probability * self.consequence

    @property
    def colour_label(self) -> str:
        return colour_of(self.score)[1]


class ControlPoint(VersionedModel, TenantModel):
    """A kontrollmoment: what is controlled, how, by whom, when and how often, for which risk."""

    plan = models.ForeignKey(
        ControlPlan,
        on_delete=models.CASCADE,
        related_name="control_points",
        verbose_name=_("plan"),
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, related_name="control_points", verbose_name=_("risk")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    what = models.CharField(_("what is controlled"), max_length=500)
    method = models.TextField(_("how (method)"))
    responsible = models.CharField(_("who (responsible)"), max_length=200)
    frequency = models.CharField(_("how often"), max_length=200)
    months = models.JSONField(_("months"), default=list, blank=True)

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "plan", "number"]
        verbose_name = _("control point")
        verbose_name_plural = _("control points")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "plan", "number"],
                name="controlpoint_unique_number_in_plan",
            )
        ]

    def __str__(self) -> str:
        return f"K{self.number} {self.what}"

    @property
    def label(self) -> str:
        return f"K{self.number}"

    @property
    def month_names(self) -> str:
        return ", ".join(str(MONTHS[m]) for m in self.months)


class ControlResult(VersionedModel, TenantModel):
    """The result of one control: what was found, any deviation and the åtgärder."""

    control_point = models.ForeignKey(
        ControlPoint,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("control point"),
    )
    month = models.PositiveSmallIntegerField(
        _("month controlled"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    performed_on = models.DateField(_("performed on"))
    result = models.TextField(_("result"))
    deviation = models.BooleanField(_("deviation found"), default=False)
    deviation_description = models.TextField(_("the deviation"), blank=True)
    measures = models.TextField(_("measures (åtgärder)"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "control_point", "performed_on", "pk"]
        verbose_name = _("control result")
        verbose_name_plural = _("control results")
        indexes = [models.Index(fields=["municipality", "control_point", "performed_on"])]

    def __str__(self) -> str:
        return f"{self.control_point.label} {self.performed_on}"

    @property
    def month_name(self) -> str:
        return str(MONTHS[self.month])
