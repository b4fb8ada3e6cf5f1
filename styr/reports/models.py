"""What the reports keep: the free texts a unit writes for its plan or a period's report, and the
documents generated in the background (a decided report's document among them, kept as decided)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel
from styr.core.versioning import VersionedModel
from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit


class ReportText(VersionedModel, TenantModel):
    """A free-text section of a unit's report ("Viktiga händelser", "Ekonomi", "Framtid"); the
    model file's `reports.texts` names the sections. No period: the text belongs to the plan."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="report_texts", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_texts",
        verbose_name=_("period"),
    )
    key = models.CharField(_("section"), max_length=50)
    text = models.TextField(_("text"), blank=True)

    history = track_history()

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit", "year", "period", "key"],
                name="report_text_unique_period",
                condition=models.Q(period__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["municipality", "unit", "year", "key"],
                name="report_text_unique_plan",
                condition=models.Q(period__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.key}"


class ReportDocument(TenantModel):
    """A document generated in the background, kept with its file once finished. A decided
    report (`decided`) is the version a nämnd or KF decided on and is never replaced."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="report_documents", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_documents",
        verbose_name=_("period"),
    )
    consolidated = models.BooleanField(_("with the units below"), default=False)
    format = models.CharField(_("format"), max_length=10)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (per cent)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    decided = models.BooleanField(_("the decided version"), default=False)
    file_name = models.CharField(_("file name"), max_length=300, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    content = models.BinaryField(_("content"), blank=True, default=b"")
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        indexes = [
            models.Index(
                fields=["municipality", "unit", "year", "-created_at"], name="report_doc_unit_idx"
            )
        ]

    def __str__(self) -> str:
        return self.file_name or f"{self.unit} {self.year} {self.format}"
