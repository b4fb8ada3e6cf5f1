"""Documents made in the background: ordered by a person from the unit's Dokument page, or by the
workflow when a plan or a report is adopted (the decided version, which is kept for good). The
row is written here and the work is queued once the row is saved; styr.reports.tasks does it."""

import datetime

from django.db import transaction
from django.utils import timezone

from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit

from .documents import FORMATS
from .models import ReportDocument

State = ReportDocument.State

# A document still waiting or running after this long lost its worker (stopped or restarted):
# a new order makes a new one instead of waiting for it forever.
STALE_AFTER = datetime.timedelta(hours=1)


@transaction.atomic
def document_request(
    *,
    user,
    unit: OrgUnit,
    year: int,
    period: ReportingPeriod | None,
    consolidated: bool,
    document_format: str,
) -> ReportDocument:
    """A document ordered by `user` (who may read the unit, and its subtree when
    `consolidated`: the view checks). The same order already waiting or running is answered
    with that document rather than a second one."""
    if document_format not in FORMATS:
        raise ValueError(f"Unknown format: {document_format}")
    waiting = (
        ReportDocument.objects.filter(
            municipality_id=unit.municipality_id,
            unit=unit,
            year=year,
            period=period,
            consolidated=consolidated,
            format=document_format,
            decided=False,
            state__in=[State.QUEUED, State.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .defer("content")
        .order_by("-created_at")
        .first()
    )
    if waiting is not None:
        return waiting
    return _document_queue(
        user=user,
        unit=unit,
        year=year,
        period=period,
        consolidated=consolidated,
        document_format=document_format,
        decided=False,
    )


def document_decided_request(*, submission, acting_user=None) -> ReportDocument:
    """The adopted plan or follow-up report of a unit as a PDF, kept as the decided version. A
    later adoption of the same report adds another decided document; none is ever replaced."""
    return _document_queue(
        user=acting_user,
        unit=submission.unit,
        year=submission.year,
        period=submission.period,
        consolidated=False,
        document_format="pdf",
        decided=True,
    )


def _document_queue(
    *, user, unit, year, period, consolidated, document_format, decided
) -> ReportDocument:
    document = ReportDocument(
        municipality_id=unit.municipality_id,
        unit=unit,
        year=year,
        period=period,
        consolidated=consolidated,
        format=document_format,
        decided=decided,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    document.full_clean()
    document.save()
    # The worker reads the row from the database: queue the work only once the row is there.
    transaction.on_commit(lambda: _enqueue(document.pk))
    return document


def _enqueue(document_id: int) -> None:
    from .tasks import document_generate

    result = document_generate.enqueue(document_id)
    ReportDocument.objects.filter(pk=document_id).update(task_id=str(result.id))
