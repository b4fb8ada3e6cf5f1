"""A report as one standalone HTML document: its own print styles, charts and logo inside it, so
it reads the same in a browser, printed, or turned into PDF."""

from django.template.loader import render_to_string
from django.utils import translation

from .charts import report_charts
from .structure import Report


def report_html(report: Report, *, charts: bool = True) -> str:
    if charts:
        report_charts(report)
    with translation.override("sv"):
        return render_to_string("reports/report.html", {"report": report})
