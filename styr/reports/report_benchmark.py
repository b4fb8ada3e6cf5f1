"""The document benchmark: one nämnd's period report with the units below it, as DOCX and as PDF
from the start (reading the data, drawing the charts, laying out, writing), and the data of the
whole municipality's årsredovisning (the final period, every unit) assembled. Each case runs
`repeat` times; the median and the slowest run are reported with the document's size and pages."""

import io
import statistics
import time
from dataclasses import dataclass

from django.utils.translation import gettext as _
from pypdf import PdfReader

from styr.followup.models import ReportingPeriod
from styr.organisation.models import OrgUnit

from .documents import report_document
from .selectors import report_build


@dataclass
class Case:
    name: str
    seconds: list[float]
    detail: str

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def slowest(self) -> float:
        return max(self.seconds)


def _timed(run, repeat: int) -> tuple[list[float], object]:
    seconds, result = [], None
    for _run in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def report_benchmark(
    *, unit: OrgUnit, period: ReportingPeriod, final: ReportingPeriod, repeat: int = 3
) -> list[Case]:
    cases = []

    def document(document_format):
        return report_document(
            unit=unit,
            year=period.year,
            period=period,
            consolidated=True,
            document_format=document_format,
        )

    seconds, built = _timed(
        lambda: report_build(unit=unit, year=period.year, period=period, consolidated=True),
        repeat,
    )
    full = _("%(goals)s goals in full")
    cases.append(Case(_("data"), seconds, full % {"goals": built.goal_count}))
    seconds, docx = _timed(lambda: document("docx"), repeat)
    cases.append(Case("docx", seconds, f"{len(docx.content) // 1024} kB"))
    seconds, pdf = _timed(lambda: document("pdf"), repeat)
    pages = len(PdfReader(io.BytesIO(pdf.content)).pages)
    size = _("%(pages)s pages, %(kb)s kB")
    cases.append(Case("pdf", seconds, size % {"pages": pages, "kb": len(pdf.content) // 1024}))

    root = OrgUnit.objects.get(municipality_id=unit.municipality_id, depth=0)
    seconds, annual = _timed(
        lambda: report_build(unit=root, year=final.year, period=final, consolidated=True), repeat
    )
    units = sum(len(p.units) for p in annual.parts if p.kind == "units")
    lines = sum(len(u.goals) for p in annual.parts if p.kind == "units" for u in p.units)
    detail = (
        full % {"goals": annual.goal_count}
        + ", "
        + _("%(lines)s goals in the tables of %(units)s units") % {"lines": lines, "units": units}
    )
    cases.append(Case(_("annual report (data)"), seconds, detail))
    return cases
