"""The background work of the reports: making an ordered document, run by `styr db_worker`."""

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .documents import report_document
from .models import ReportDocument

logger = logging.getLogger(__name__)

State = ReportDocument.State


@task()
def document_generate(document_id: int) -> None:
    """Make the document and keep it on its row; the row tells the page how far it has come
    (one small UPDATE per step, so the page can read it while the work goes on)."""
    rows = ReportDocument.objects.filter(pk=document_id)
    with translation.override(settings.LANGUAGE_CODE):
        # Taken once: a second worker, or the same task run again, finds it no longer waiting.
        if not rows.filter(state=State.QUEUED).update(
            state=State.RUNNING, progress=1, step=_("Started")
        ):
            return
        document = (
            ReportDocument.objects.defer("content")
            .select_related("unit", "period__definition", "period__municipality")
            .get(pk=document_id)
        )

        def progress(per_cent: int, step: str) -> None:
            rows.update(progress=max(1, min(per_cent, 99)), step=step[:200])

        try:
            made = report_document(
                unit=document.unit,
                year=document.year,
                period=document.period,
                consolidated=document.consolidated,
                document_format=document.format,
                progress=progress,
            )
        except Exception:
            logger.exception("Report document %s could not be made", document_id)
            rows.update(
                state=State.FAILED,
                step="",
                error=_(
                    "The document could not be made. Order it again; if it fails again, tell "
                    "the administrator of Styr."
                ),
                finished_at=timezone.now(),
            )
            return
        rows.update(
            state=State.DONE,
            progress=100,
            step=_("Finished"),
            content=made.content,
            content_type=made.content_type,
            file_name=made.file_name[:300],
            size=len(made.content),
            finished_at=timezone.now(),
        )
