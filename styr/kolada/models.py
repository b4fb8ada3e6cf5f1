"""Kolada's key figures as Styr keeps them: the KPI catalogue (fetched and cached) and the values of
KPIs for municipalities, regions and Riket, with where and when they came from.

Kolada's data are public and the same for every municipality, so these tables are shared by all
municipalities on an installation rather than copied per municipality (unlike Styr's own data,
which always carries its municipality)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel, TimestampedModel

RIKET = "0000"


class KoladaKpi(TimestampedModel):
    """One KPI of Kolada's catalogue, as last fetched."""

    id = models.CharField(_("KPI"), max_length=20, primary_key=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    operating_area = models.CharField(_("operating area"), max_length=500, blank=True)
    is_divided_by_gender = models.BooleanField(_("divided by gender"), default=False)
    municipality_type = models.CharField(_("municipality type"), max_length=5, blank=True)
    has_ou_data = models.BooleanField(_("has data per organisational unit"), default=False)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        verbose_name = _("Kolada KPI")
        verbose_name_plural = _("Kolada KPIs")

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


class KoladaValue(TimestampedModel):
    """A KPI's value for a municipality, region or Riket ("0000") in a year, for the total (T),
    women (K) or men (M), with its provenance: fetched from Kolada when, published when."""

    kpi = models.CharField(_("KPI"), max_length=20)
    area = models.CharField(_("municipality or region"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    gender = models.CharField(_("gender"), max_length=1)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    status = models.CharField(_("status"), max_length=20, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    published_on = models.DateField(_("published by Kolada"), null=True, blank=True)
    # Where the value came from: Kolada's API address, or the demo's example data.
    source = models.CharField(_("source"), max_length=200, blank=True)

    history = track_history()

    class Meta:
        verbose_name = _("Kolada value")
        verbose_name_plural = _("Kolada values")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "year", "area", "gender"], name="kolada_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.area} {self.year} {self.gender}: {self.value}"


class KoladaSync(TenantModel):
    """One sync run for a municipality: what was asked, how it went, what changed."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    kpis = models.JSONField(_("KPIs"), default=list)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RUNNING)
    new = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kolada sync")
        verbose_name_plural = _("Kolada syncs")
        indexes = [models.Index(fields=["municipality", "-created_at"], name="kolada_sync_idx")]
