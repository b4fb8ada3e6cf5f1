"""Ekonomi: each unit's budget and outcome by account group and month (read from the accounting
system), the forecasts for the year the units report each follow-up month, and the åtgärdsplaner
they write when the forecast is worse than the budget.

Amounts are kronor and positive, for income and for costs alike; an account group is income or a
cost, and the result is income minus costs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel
from styr.core.versioning import VersionedModel
from styr.organisation.models import OrgUnit

AMOUNT = {"max_digits": 16, "decimal_places": 2}
MONTH_RANGE = Q(month__gte=1, month__lte=12)


class EconomyRules(TenantModel):
    """The styrmodell's rules for the monthly budget follow-up, stored when the model loads."""

    months = models.JSONField(_("follow-up months"), default=list, blank=True)
    # Months in which only the units whose latest earlier forecast was worse than the budget
    # report an updated forecast and åtgärdsplan (Lomma's 31/5 and 31/10).
    deviation_months = models.JSONField(
        _("months of updated forecasts after a negative deviation"), default=list, blank=True
    )
    comment_threshold_percent = models.DecimalField(
        _("comment threshold (per cent)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    comment_threshold_kronor = models.DecimalField(
        _("comment threshold (kronor)"), null=True, blank=True, **AMOUNT
    )

    history = track_history()

    class Meta:
        verbose_name = _("economy rules")
        verbose_name_plural = _("economy rules")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="economyrules_unique"),
        ]

    def __str__(self) -> str:
        return str(_("Economy rules"))


class AccountGroup(TenantModel):
    class Kind(models.TextChoices):
        COST = "cost", _("cost")
        INCOME = "income", _("income")

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COST)

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "kind", "code"]
        verbose_name = _("account group")
        verbose_name_plural = _("account groups")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="accountgroup_unique"),
        ]

    def __str__(self) -> str:
        return self.name if self.name == self.code else f"{self.code} {self.name}"


class BudgetLine(TenantModel):
    """One month's budget or outcome of one account group for one unit."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("budget")
        OUTCOME = "outcome", _("outcome")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    account_group = models.ForeignKey(
        AccountGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("account group")
    )
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **AMOUNT)

    history = track_history()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year", "account_group", "month", "kind"],
                name="budgetline_unique",
            ),
            models.CheckConstraint(condition=MONTH_RANGE, name="budgetline_month_1_12"),
        ]
        indexes = [models.Index(fields=["municipality", "year"], name="budgetline_year_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}-{self.month:02d} {self.account_group} {self.kind}"


class BudgetForecast(VersionedModel, TenantModel):
    """A unit's forecast for the whole year of one account group, reported in one month."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    account_group = models.ForeignKey(
        AccountGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("account group")
    )
    forecast = models.DecimalField(_("forecast for the year"), **AMOUNT)
    comment = models.TextField(_("comment"), blank=True)
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
        verbose_name = _("budget forecast")
        verbose_name_plural = _("budget forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year", "month", "account_group"],
                name="budgetforecast_unique",
            ),
            models.CheckConstraint(condition=MONTH_RANGE, name="budgetforecast_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}-{self.month:02d} {self.account_group}"


class ActionPlan(VersionedModel, TenantModel):
    """Åtgärdsplan: what a unit does to bring a forecast worse than the budget back."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    measures = models.TextField(_("measures"))
    responsible = models.CharField(_("responsible"), max_length=200)
    due_on = models.DateField(_("to be done by"))
    expected_effect = models.DecimalField(_("expected effect (kronor)"), **AMOUNT)

    history = track_history()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year", "month"], name="actionplan_unique"
            ),
            models.CheckConstraint(condition=MONTH_RANGE, name="actionplan_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}-{self.month:02d}"
