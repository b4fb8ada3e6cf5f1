"""One way to a finished document in any format, for the command line and the web alike."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit

from .layout import period_title
from .selectors import report_build

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = list(CONTENT_TYPES)


@dataclass
class Document:
    content: bytes
    content_type: str
    file_name: str


def report_document(
    *,
    unit: OrgUnit,
    year: int,
    period: ReportingPeriod | None,
    consolidated: bool,
    document_format: str,
    progress: Callable[[int, str], None] | None = None,
) -> Document:
    """The document; `progress(per_cent, step)` hears how far it has come (background work)."""
    progress = progress or (lambda _per_cent, _step: None)
    progress(5, _("Reading the data"))
    if document_format == "xlsx":
        # The spreadsheet has its own layout (one sheet per kind of row), from the Excel part.
        from .excel import plan_followup_xlsx

        content = plan_followup_xlsx(unit=unit, year=year, period=period, consolidated=consolidated)
        title = period_title(period) if period else _("Plan and follow-up")
    else:
        report = report_build(unit=unit, year=year, period=period, consolidated=consolidated)
        title = report.title
        progress(30, _("Laying out the document"))
        if document_format == "docx":
            from .render_docx import report_docx

            content = report_docx(report)
        elif document_format == "pdf":
            from .render_pdf import report_pdf

            content = report_pdf(report)
        else:
            from .render_html import report_html

            content = report_html(report).encode("utf-8")
    progress(95, _("Saving the document"))
    name = f"{title} {year} {unit.name}"
    if consolidated:
        name += " " + _("with the units below")
    return Document(content, CONTENT_TYPES[document_format], f"{_safe(name)}.{document_format}")


def _safe(name: str) -> str:
    """A file name every system accepts, keeping å, ä and ö."""
    return re.sub(r"\s+", " ", re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", name)).strip()
